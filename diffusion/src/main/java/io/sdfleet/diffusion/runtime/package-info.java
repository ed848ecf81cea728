/**
 * The PyTorch engine under DJL: starting it offline, the fused attention kernel where the native library has it,
 * torch's CPU random generator and memory measurement. Everything that depends on how the native runtime behaves is
 * gathered here.
 */
package io.sdfleet.diffusion.runtime;
