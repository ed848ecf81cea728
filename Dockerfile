# syntax=docker/dockerfile:1
# One image per service: docker build --build-arg SERVICE=gateway-service -t sdfleet/gateway .
# Builds with the Maven wrapper, runs the service's executable jar on a JRE.
#
# Build arguments:
#   SERVICE         gateway-service, scheduler-service, worker-service or storage-service
#   MAVEN_PROFILES  e.g. -Pcuda for the GPU worker
#   MAVEN_ARGS      more Maven arguments, e.g. "-o" for an offline build (below)
#   BUILD_IMAGE     a JDK 21+ image to build in (default eclipse-temurin:21-jdk)
#   RUNTIME_IMAGE   a JRE 21+ image to run on (default eclipse-temurin:21-jre); it needs useradd
#
# The GPU worker with the engine's fast path is the target worker-gpu (below): libtorch from pytorch.org and DJL's
# PyTorch JNI library compiled against it, with sdfleet's fused attention (scripts/gpu/build-djl-jni.sh). It needs
# network for those two downloads:
#   docker build --target worker-gpu --build-arg SERVICE=worker-service --build-arg 'MAVEN_PROFILES=-P!cpu' \
#     -t sdfleet/worker-gpu .
# (LIBTORCH_URL, DJL_SOURCES_URL, CUDA_DEVEL_IMAGE, CUDA_RUNTIME_IMAGE and GPU_JRE_IMAGE choose the parts.)
# Maven's downloads are kept in a build cache (/root/.m2), so rebuilds fetch nothing new. Without network: put a
# Maven user home holding the wrapper's Maven and every dependency in the build context as .m2-offline/ (e.g.
# `cp -r ~/.m2 .m2-offline` after one online build here) and pass --build-arg MAVEN_ARGS=-o.
ARG BUILD_IMAGE=eclipse-temurin:21-jdk
ARG RUNTIME_IMAGE=eclipse-temurin:21-jre
ARG CUDA_DEVEL_IMAGE=nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04
ARG CUDA_RUNTIME_IMAGE=nvidia/cuda:12.4.1-runtime-ubuntu22.04
ARG GPU_JRE_IMAGE=eclipse-temurin:21-jre

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY . .
ARG SERVICE
ARG MAVEN_PROFILES=
ARG MAVEN_ARGS=
RUN --mount=type=cache,target=/root/.m2 \
    if [ -d .m2-offline ]; then cp -rn .m2-offline/. /root/.m2/; fi \
 && ./mvnw -B -q ${MAVEN_ARGS} -pl ${SERVICE} -am package -DskipTests ${MAVEN_PROFILES} \
 && cp ${SERVICE}/target/${SERVICE}-*-exec.jar /app.jar

# ---- GPU worker (--target worker-gpu). Not built by a plain `docker build`, which stops at the last stage.
# The native library: libtorch (CUDA 12.4, with its cuDNN/cuBLAS) and DJL's JNI for it, built from DJL's sources at
# the project's DJL version with the fused attention added. javac -h reads DJL's classes from the worker's jar.
FROM ${CUDA_DEVEL_IMAGE} AS worker-gpu-native
ARG LIBTORCH_URL=https://download.pytorch.org/libtorch/cu124/libtorch-cxx11-abi-shared-with-deps-2.5.1%2Bcu124.zip
ARG DJL_SOURCES_URL=https://github.com/deepjavalibrary/djl/archive/refs/tags/v0.33.0.tar.gz
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates curl unzip cmake make g++ python3 openjdk-17-jdk-headless \
 && rm -rf /var/lib/apt/lists/*
RUN curl -fsSL "$LIBTORCH_URL" -o /tmp/libtorch.zip && unzip -q /tmp/libtorch.zip -d /opt && rm /tmp/libtorch.zip \
 && mkdir /opt/djl && curl -fsSL "$DJL_SOURCES_URL" | tar -xz -C /opt/djl --strip-components=1
COPY scripts/gpu/ /opt/sdfleet-gpu/
COPY --from=build /app.jar /tmp/worker.jar
RUN mkdir /tmp/engine-jars && unzip -q -j /tmp/worker.jar 'BOOT-INF/lib/*.jar' -d /tmp/engine-jars \
 && JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 DJL_CLASSPATH="$(echo /tmp/engine-jars/*.jar | tr ' ' :)" \
      /opt/sdfleet-gpu/build-djl-jni.sh /opt/djl /tmp/jni /opt/libtorch \
 && cp /tmp/jni/libdjl_torch.so /opt/libtorch/lib/

# The GPU worker: Temurin's JRE on the CUDA runtime. DJL loads libtorch and the JNI from PYTORCH_LIBRARY_PATH, so
# the jar needs no native jar: MAVEN_PROFILES=-P!cpu leaves DJL's CPU libtorch (about 190 MB) out of it.
FROM ${GPU_JRE_IMAGE} AS temurin-jre
FROM ${CUDA_RUNTIME_IMAGE} AS worker-gpu
ENV SERVICE=worker-service \
    JAVA_HOME=/opt/java/openjdk \
    PATH=/opt/java/openjdk/bin:$PATH \
    PYTORCH_LIBRARY_PATH=/opt/libtorch/lib \
    LD_LIBRARY_PATH=/opt/libtorch/lib \
    DJL_CACHE_DIR=/var/cache/djl \
    SDFLEET_DEVICE=gpu \
    JAVA_TOOL_OPTIONS="-Dai.djl.offline=true -XX:MaxRAMPercentage=60"
COPY --from=temurin-jre /opt/java/openjdk /opt/java/openjdk
COPY --from=worker-gpu-native /opt/libtorch/lib /opt/libtorch/lib
COPY --from=build /app.jar /app/app.jar
RUN useradd --system --home /app sdfleet && mkdir -p /var/cache/djl /models && chown sdfleet /var/cache/djl /models
USER sdfleet
WORKDIR /app
ENTRYPOINT ["java", "-jar", "/app/app.jar"]

# ---- The service image (the default target): the jar on RUNTIME_IMAGE.
FROM ${RUNTIME_IMAGE}
ARG SERVICE
ENV SERVICE=${SERVICE} \
    DJL_CACHE_DIR=/var/cache/djl \
    JAVA_TOOL_OPTIONS="-Dai.djl.offline=true -XX:MaxRAMPercentage=60"
COPY --from=build /app.jar /app/app.jar
RUN useradd --system --home /app sdfleet && mkdir -p /var/cache/djl /models && chown sdfleet /var/cache/djl /models
USER sdfleet
WORKDIR /app
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
