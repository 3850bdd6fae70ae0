# One image recipe for both applications; docker-compose.yml and k8s/ say which jar goes in.
#   docker build --build-arg JAR=gateway/target/gateway-0.1.0-SNAPSHOT.jar --build-arg HEALTHCHECK_PORT=8081 .
# The jars come from `./mvnw -B package -DskipTests`. BASE_IMAGE is any image with a Java 17+ runtime and bash.
ARG BASE_IMAGE=eclipse-temurin:17-jre

# Stage 1: split the Boot jar into its layers, so an image rebuilt after a code change reuses the dependency layers.
FROM ${BASE_IMAGE} AS layers
ARG JAR
WORKDIR /layers
COPY ${JAR} app.jar
RUN java -Djarmode=tools -jar app.jar extract --layers --launcher --destination extracted

FROM ${BASE_IMAGE}
RUN groupadd --system --gid 10001 app && useradd --system --uid 10001 --gid app --no-create-home app
WORKDIR /app
COPY --from=layers /layers/extracted/dependencies/ ./
COPY --from=layers /layers/extracted/spring-boot-loader/ ./
COPY --from=layers /layers/extracted/snapshot-dependencies/ ./
COPY --from=layers /layers/extracted/application/ ./
COPY docker/healthcheck /usr/local/bin/healthcheck
# The port whose /actuator/health/readiness the HEALTHCHECK reads: 8081 for the gateway, 9001 for a worker.
ARG HEALTHCHECK_PORT=8081
ENV HEALTHCHECK_PORT=${HEALTHCHECK_PORT}
USER 10001:10001
HEALTHCHECK --interval=5s --timeout=3s --start-period=90s --retries=3 CMD ["/usr/local/bin/healthcheck"]
# java is PID 1 (exec form): SIGTERM reaches the JVM, which drains and exits (see the README's health section).
# Heap sized from the container's memory limit; extra flags through JAVA_TOOL_OPTIONS.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "org.springframework.boot.loader.launch.JarLauncher"]
