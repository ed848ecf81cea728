# One image per service: docker build --build-arg SERVICE=gateway-service -t sdfleet/gateway .
# Builds with the Maven wrapper, runs the service's executable jar on a JRE.
FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
COPY . .
ARG SERVICE
ARG MAVEN_PROFILES=
RUN ./mvnw -B -q -pl ${SERVICE} -am package -DskipTests ${MAVEN_PROFILES} \
 && cp ${SERVICE}/target/${SERVICE}-*-exec.jar /app.jar

FROM eclipse-temurin:21-jre
ARG SERVICE
ENV SERVICE=${SERVICE} \
    DJL_CACHE_DIR=/var/cache/djl \
    JAVA_TOOL_OPTIONS="-Dai.djl.offline=true -XX:MaxRAMPercentage=60"
COPY --from=build /app.jar /app/app.jar
RUN useradd --system --home /app sdfleet && mkdir -p /var/cache/djl /models && chown sdfleet /var/cache/djl /models
USER sdfleet
WORKDIR /app
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
