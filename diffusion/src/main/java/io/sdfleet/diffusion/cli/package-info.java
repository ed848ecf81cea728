/**
 * The ./sd command line of the engine: argument parsing and one command class per sub-command (txt2img and img2img,
 * prompt parsing, tokenising, benchmarks). It is a thin layer over the pipeline, kept apart so that nothing else
 * depends on terminal input or output.
 */
package io.sdfleet.diffusion.cli;
