/**
 * Benchmarks of the engine itself: stage timings of txt2img and the peak memory of each memory mode. They are run from
 * the command line, not by the services, and live apart so that the pipeline carries no measuring code.
 */
package io.sdfleet.diffusion.bench;
