# One image recipe for both applications, built from source: docker-compose.yml and k8s/ say which one (APP).
#   docker build --build-arg APP=gateway --build-arg HEALTHCHECK_PORT=8081 -t clusterkit/gateway:0.1.0-SNAPSHOT .
# Needs nothing but the engine: Maven runs in the build stage, its repository in a build cache, so a rebuild after a
# code change takes seconds. RUN --mount needs BuildKit (docker compose v2, docker build) or podman/buildah.
#
# Java 25 runs the applications (bytecode stays at release 17): the image carries an AOT cache trained in the build
# (docker/train), which starts the JVM with the classes linked and the request path's profiles known. JDK_IMAGE and
# JRE_IMAGE may name Java 17 images instead: the image then runs without the cache.
ARG JDK_IMAGE=eclipse-temurin:25-jdk
ARG JRE_IMAGE=eclipse-temurin:25-jre

# Stage 1: both jars and the training load from source.
FROM ${JDK_IMAGE} AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY web-conventions/ web-conventions/
COPY worker-service/ worker-service/
COPY gateway/ gateway/
COPY deployment-tests/pom.xml deployment-tests/
COPY docker/TrainingLoad.java docker/
# CI only (.ci/maven-mirror): a Maven repository to read instead of Maven Central, for hosts whose builds cannot
# reach it. Unset, Maven and its wrapper use Maven Central.
ARG MAVEN_MIRROR_URL=
RUN --mount=type=cache,target=/root/.m2 \
	if [ -n "$MAVEN_MIRROR_URL" ]; then \
		export MVNW_REPOURL=$MAVEN_MIRROR_URL; \
		mkdir -p /root/.m2 && printf '<settings><mirrors><mirror><id>ci</id><mirrorOf>*</mirrorOf><url>%s</url></mirror></mirrors></settings>' \
			"$MAVEN_MIRROR_URL" >/tmp/settings.xml; \
		set -- -s /tmp/settings.xml; \
	fi; \
	./mvnw -B -q "$@" -pl gateway,worker-service -am -Dmaven.test.skip=true -Dspring-javaformat.skip=true package && \
	mkdir /jars /train && \
	cp gateway/target/gateway-*.jar /jars/gateway.jar && \
	cp worker-service/target/worker-service-*-exec.jar /jars/worker-service.jar && \
	javac --release 17 -d /train docker/TrainingLoad.java

# Stage 2: the application's jar split into its layers, so an image rebuilt after a code change reuses the
# dependency layers.
FROM ${JRE_IMAGE} AS layers
ARG APP
WORKDIR /layers
COPY --from=build /jars/${APP}.jar app.jar
RUN java -Djarmode=tools -jar app.jar extract --layers --destination extracted

# Stage 3: the runtime image, without the cache.
FROM ${JRE_IMAGE} AS app
RUN groupadd --system --gid 10001 app && useradd --system --uid 10001 --gid app --no-create-home app
WORKDIR /app
COPY --from=layers /layers/extracted/dependencies/ ./
COPY --from=layers /layers/extracted/spring-boot-loader/ ./
COPY --from=layers /layers/extracted/snapshot-dependencies/ ./
COPY --from=layers /layers/extracted/application/ ./
COPY docker/healthcheck /usr/local/bin/healthcheck

# Stage 4: the training run, on the runtime image's very files (the cache is valid only for the jars it was made from).
FROM app AS training
ARG APP
ARG TRAINING_SECONDS=60
COPY --from=build /train/ /train/
COPY --from=build /jars/worker-service.jar /train/
COPY docker/train /usr/local/bin/train
RUN train "$APP" "$TRAINING_SECONDS"

FROM app
COPY --from=training /app/aot/ ./aot/
# The port whose /actuator/health/readiness the HEALTHCHECK reads: 8081 for the gateway, 9001 for a worker.
ARG HEALTHCHECK_PORT=8081
ENV HEALTHCHECK_PORT=${HEALTHCHECK_PORT}
USER 10001:10001
HEALTHCHECK --interval=5s --timeout=3s --start-period=90s --retries=3 CMD ["/usr/local/bin/healthcheck"]
# java is PID 1 (exec form): SIGTERM reaches the JVM, which drains and exits (docs/health.md). aot/jvm.args holds
# the AOT cache's options (empty before Java 25). Heap sized from the container's memory limit; extra flags through
# JAVA_TOOL_OPTIONS.
ENTRYPOINT ["java", "@/app/aot/jvm.args", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "app.jar"]
