#!/usr/bin/env bash
# Builds DJL's PyTorch JNI library (libdjl_torch.so), with sdfleet's fused attention added, against the libtorch
# already on a GPU machine, for when DJL's prebuilt libtorch 2.5.1/cu124 cannot be used (a newer CUDA driver stack,
# no network to download it, or a PyTorch wheel that is already there). Used on an H100 with PyTorch 2.11.0+cu130; see README "GPU".
#
#   scripts/gpu/build-djl-jni.sh DJL_CHECKOUT OUT_DIR [TORCH_DIR]
#
# DJL_CHECKOUT  a checkout of github.com/deepjavalibrary/djl at the tag of our DJL version (pom.xml djl.version,
#               e.g. v0.33.0): its engines/pytorch/pytorch-native and api/src/main/native are compiled
# OUT_DIR       receives libdjl_torch.so beside links to libtorch's libraries: point PYTORCH_LIBRARY_PATH at it
# TORCH_DIR     the torch package folder (holds lib/ and share/cmake/Torch); default: python3's torch
# Needs: JAVA_HOME (a JDK, for javac -h and jni.h), DJL_CLASSPATH (the engine's jars, for javac -h), cmake, a C++17
# compiler, and nvcc for the CUDA flavour.
set -euo pipefail
djl=$(cd "$1" && pwd)
out=$(mkdir -p "$2" && cd "$2" && pwd)
torch_dir=${3:-$(python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))')}
native=$djl/engines/pytorch/pytorch-native
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$native" "$work/pytorch-native"
mkdir -p "$work/api/src/main" && cp -r "$djl/api/src/main/native" "$work/api/src/main/native"
mkdir -p "$work/engines/pytorch" && mv "$work/pytorch-native" "$work/engines/pytorch/"
src=$work/engines/pytorch/pytorch-native

# Recent libtorch no longer has the legacy autograd profiler DJL's JNI wraps; the engine never uses DJL's
# profiler, so its two entry points are built as "not available" instead.
python3 - "$src/src/main/native/ai_djl_pytorch_jni_PyTorchLibrary_system.cc" <<'PY'
import sys
path = sys.argv[1]
s = open(path).read()
start = s.index("// the code snippet is copied from torch/csrc/autograd/profiler_legacy.cpp")
end = s.index("JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchCudaEmptyCache")
stub = '''JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchStartProfile(
    JNIEnv* env, jobject jthis, jboolean juse_cuda, jboolean jrecord_shape, jboolean jprofile_memory) {
  env->ThrowNew(ENGINE_EXCEPTION_CLASS, "the profiler is not available in this build");
}

JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_torchStopProfile(
    JNIEnv* env, jobject jthis, jstring joutput_file) {
  env->ThrowNew(ENGINE_EXCEPTION_CLASS, "the profiler is not available in this build");
}

'''
s = s[:start] + stub + s[end:]
s = s.replace("using namespace torch::autograd::profiler;\n", "")
s = s.replace('#ifdef V1_10_X\n    #include <torch/csrc/jit/frontend/code_template.h>\n#else\n    #include <ATen/code_template.h>\n#endif\n', '')
open(path, "w").write(s)
PY

# sdfleet's fused attention (see sdfleet_fused_attention.cc) is compiled into the same library.
cp "$(dirname "$0")/sdfleet_fused_attention.cc" "$src/src/main/native/"
sed -i 's#"src/main/native/ai_djl_pytorch_jni_cache.cc")#"src/main/native/ai_djl_pytorch_jni_cache.cc"\n    "src/main/native/sdfleet_fused_attention.cc")#' "$src/CMakeLists.txt"
grep -q sdfleet_fused_attention "$src/CMakeLists.txt"

# The JNI header comes from DJL's Java declarations.
mkdir -p "$src/build/include" "$work/classes"
"$JAVA_HOME/bin/javac" -sourcepath "$djl/engines/pytorch/pytorch-engine/src/main/java" \
    -cp "${DJL_CLASSPATH:?set DJL_CLASSPATH to the engine classpath: ./mvnw -q -pl diffusion dependency:build-classpath -Dmdep.outputFile=/dev/stdout}" \
    "$djl/engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java" \
    -h "$src/build/include" -d "$work/classes"

cuda=$([ -e "$torch_dir/lib/libtorch_cuda.so" ] && echo 1 || echo 0)
(cd "$src/build" && cmake -DCMAKE_PREFIX_PATH="$torch_dir/share/cmake" -DUSE_CUDA=$cuda -DCMAKE_BUILD_TYPE=Release .. \
    && make -j"$(nproc)")
cp "$src/build/libdjl_torch.so" "$out/"
for f in "$torch_dir"/lib/*.so*; do ln -sf "$f" "$out/"; done
echo "built $out/libdjl_torch.so against $(python3 -c 'import torch; print(torch.__version__)' 2>/dev/null || echo "$torch_dir")"
echo "run with: PYTORCH_LIBRARY_PATH=$out LD_LIBRARY_PATH=$out:<the CUDA libraries' folders> java -Dai.djl.offline=true ..."
