// sdfleet's addition to DJL's PyTorch JNI library: torch's fused scaled_dot_product_attention (flash or
// memory-efficient kernels), which DJL 0.33 does not expose. Built into libdjl_torch.so by build-djl-jni.sh; the
// Java side is io.sdfleet.diffusion.runtime.FusedAttention, which falls back to explicit attention without it.
// Tensor handles are DJL's: pointers to torch::Tensor.
#include <jni.h>
#include <torch/torch.h>

#include <optional>

extern "C" {

JNIEXPORT jint JNICALL Java_io_sdfleet_diffusion_runtime_FusedAttention_version(JNIEnv* env, jclass type) {
  return 1;
}

JNIEXPORT jlong JNICALL Java_io_sdfleet_diffusion_runtime_FusedAttention_attend(
    JNIEnv* env, jclass type, jlong jq, jlong jk, jlong jv, jlong jmask, jdouble jscale) {
  try {
    const auto* q = reinterpret_cast<torch::Tensor*>(jq);
    const auto* k = reinterpret_cast<torch::Tensor*>(jk);
    const auto* v = reinterpret_cast<torch::Tensor*>(jv);
    std::optional<at::Tensor> mask;
    if (jmask != 0) {
      mask = *reinterpret_cast<torch::Tensor*>(jmask);
    }
    torch::NoGradGuard no_grad;
    auto* out = new torch::Tensor(at::scaled_dot_product_attention(*q, *k, *v, mask, 0.0, false, jscale));
    return reinterpret_cast<jlong>(out);
  } catch (const std::exception& e) {
    env->ThrowNew(env->FindClass("java/lang/IllegalStateException"), e.what());
    return 0;
  }
}

}  // extern "C"
