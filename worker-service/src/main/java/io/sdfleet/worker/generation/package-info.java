/**
 * The diffusion engine behind the worker: a job's parameters translated into the engine's, the cache of loaded models
 * and progress with live previews. The rest of the worker sees it only as an ImageGenerator.
 */
package io.sdfleet.worker.generation;
