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
# Maven's downloads are kept in a build cache (/root/.m2), so rebuilds fetch nothing new. Without network: put a
# Maven user home holding the wrapper's Maven and every dependency in the build context as .m2-offline/ (e.g.
# `cp -r ~/.m2 .m2-offline` after one online build here) and pass --build-arg MAVEN_ARGS=-o.
ARG BUILD_IMAGE=eclipse-temurin:21-jdk
ARG RUNTIME_IMAGE=eclipse-temurin:21-jre

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
