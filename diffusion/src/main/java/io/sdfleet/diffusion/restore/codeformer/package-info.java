/**
 * CodeFormer v0.1.0 as spandrel_extra_arches 0.1.1 builds it (what A1111 v1.10 runs): a VQGAN encoder, a
 * transformer that predicts one codebook entry per 16×16 latent token, and the VQGAN generator, into which the
 * encoder's features are fused at 32–256 px with the fidelity weight {@code w}.
 */
package io.sdfleet.diffusion.restore.codeformer;
