/**
 * The diffusion engine behind the worker: a job's share of its request as the engine's batch, the cache of loaded models
 * and progress with live previews. The rest of the worker sees it only as an ImageGenerator.
 */
package io.sdfleet.worker.generation;
