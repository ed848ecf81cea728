/**
 * The fleet's model registry: streaming uploads hashed as they pass, model names and kinds, the models table and the
 * internal HTTP API over them.
 */
package io.sdfleet.storage.model;
