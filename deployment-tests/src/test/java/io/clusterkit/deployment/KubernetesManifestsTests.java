package io.clusterkit.deployment;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Every manifest under {@code k8s/}, parsed strictly with the Kubernetes model (an
 * unknown or misspelt field fails), and checked against the applications it deploys:
 * probe paths and ports, the DNS name the gateway resolves, labels and selectors, the
 * images (those {@code docker compose build} makes from source), and the security and
 * resource settings every container must have.
 */
class KubernetesManifestsTests {

	static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

	static final YAMLMapper yaml = new YAMLMapper();

	static final List<HasMetadata> resources = new ArrayList<>();

	@BeforeAll
	static void parseEveryManifest() throws IOException {
		JsonNode kustomization = yaml.readTree(ROOT.resolve("k8s/kustomization.yaml").toFile());
		assertThat(kustomization.path("namespace").asText()).isEqualTo("clusterkit");
		List<String> listed = new ArrayList<>();
		kustomization.path("resources").forEach((file) -> listed.add(file.asText()));
		try (Stream<Path> files = Files.list(ROOT.resolve("k8s"))) {
			assertThat(listed).as("kustomization resources: every manifest, once")
				.containsExactlyInAnyOrderElementsOf(files.map((file) -> file.getFileName().toString())
					.filter((name) -> name.endsWith(".yaml") && !name.equals("kustomization.yaml"))
					.toList());
		}
		for (String file : listed) {
			resources.add(parseStrictly(ROOT.resolve("k8s").resolve(file)));
		}
	}

	@Test
	void shouldRejectAMisspeltField(@TempDir Path directory) throws IOException {
		Path manifest = directory.resolve("typo.yaml");
		Files.writeString(manifest, """
				apiVersion: apps/v1
				kind: Deployment
				metadata:
				  name: typo
				spec:
				  replica: 3
				""");
		assertThatIllegalArgumentException().isThrownBy(() -> parseStrictly(manifest)).withMessageContaining("replica");
	}

	@Test
	void shouldProbeTheActuatorGroupsOnThePortsTheApplicationsListenOn() throws IOException {
		JsonNode gateway = yaml.readTree(ROOT.resolve("gateway/src/main/resources/application.yml").toFile());
		JsonNode worker = yaml.readTree(ROOT.resolve("worker-service/src/main/resources/application.yml").toFile());
		for (JsonNode application : List.of(gateway, worker)) {
			assertThat(application.at("/management/endpoint/health/probes/enabled").asBoolean()).isTrue();
		}
		assertProbes(container("gateway"), "management", gateway.at("/management/server/port").asInt());
		assertProbes(container("worker"), "http", worker.at("/server/port").asInt());
	}

	@Test
	void shouldTakeTheOperatorPasswordFromAnOptionalSecretAndShipNone() {
		assertThat(all(Secret.class)).isEmpty();
		assertThat(only(ConfigMap.class, "gateway-config").getData()).doesNotContainKey("CLUSTER_ADMIN_PASSWORD");
		assertThat(container("gateway").getEnv()).singleElement().satisfies((variable) -> {
			assertThat(variable.getName()).isEqualTo("CLUSTER_ADMIN_PASSWORD");
			SecretKeySelector secret = variable.getValueFrom().getSecretKeyRef();
			assertThat(secret.getName()).isEqualTo("gateway-admin");
			assertThat(secret.getKey()).isEqualTo("password");
			assertThat(secret.getOptional()).as("the gateway starts without it, refusing writes").isTrue();
		});
	}

	@Test
	void shouldResolveTheHeadlessWorkerServiceFromTheGateway() throws IOException {
		JsonNode dnsProfile = yaml.readTree(ROOT.resolve("gateway/src/main/resources/application-dns.yml").toFile());
		JsonNode service = dnsProfile.at("/cluster/discovery/dns/services/worker-service");
		Map<String, String> env = only(ConfigMap.class, "gateway-config").getData();
		assertThat(container("gateway").getEnvFrom())
			.anySatisfy((source) -> assertThat(source.getConfigMapRef().getName()).isEqualTo("gateway-config"));
		assertThat(env).containsEntry("SPRING_PROFILES_ACTIVE", "dns");
		String host = placeholder(service.path("host").asText(), env);
		int port = Integer.parseInt(placeholder(service.path("port").asText(), env));

		Service headless = only(Service.class, host);
		assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
		assertThat(headless.getSpec().getPorts()).anySatisfy((p) -> assertThat(p.getPort()).isEqualTo(port));
		assertThat(deployment("worker").getSpec().getTemplate().getMetadata().getLabels())
			.containsAllEntriesOf(headless.getSpec().getSelector());
		assertThat(container("worker").getPorts()).anySatisfy((p) -> assertThat(p.getContainerPort()).isEqualTo(port));
	}

	@Test
	void shouldRunTheImagesTheOneBuildCommandMakes() throws IOException {
		// docs/deployment.md: `docker compose build` makes both images from source
		JsonNode compose = yaml.readTree(ROOT.resolve("docker-compose.yml").toFile()).path("services");
		assertThat(container("gateway").getImage()).isEqualTo(compose.at("/gateway/image").asText());
		assertThat(container("worker").getImage()).isEqualTo(compose.at("/worker/image").asText());
		assertThat(compose.at("/gateway/build/args/APP").asText()).isEqualTo("gateway");
		assertThat(compose.at("/worker/build/args/APP").asText()).isEqualTo("worker-service");
	}

	@Test
	void shouldMountTheTlsSecretWhereTheTlsProfileReadsIt() throws IOException {
		JsonNode profile = yaml.readTree(ROOT.resolve("gateway/src/main/resources/application-tls.yml").toFile());
		String certificate = profile.at("/spring/ssl/bundle/pem/public/keystore/certificate").asText();
		String directory = certificate.replaceFirst("^\\$\\{TLS_CERTIFICATE:file:(.*)/tls\\.crt}$", "$1");
		assertThat(directory).as("the default of %s", certificate).startsWith("/");

		JsonNode overlay = yaml.readTree(ROOT.resolve("k8s/tls/kustomization.yaml").toFile());
		assertThat(overlay.path("resources").get(0).asText()).isEqualTo("../");
		ConfigMap config = (ConfigMap) parseStrictly(ROOT.resolve("k8s/tls/gateway-config-tls.yaml"));
		assertThat(config.getData().get("SPRING_PROFILES_ACTIVE").split(",")).containsExactlyInAnyOrder("dns", "tls");
		Deployment patch = (Deployment) parseStrictly(ROOT.resolve("k8s/tls/gateway-deployment-tls.yaml"));
		Container gateway = patch.getSpec().getTemplate().getSpec().getContainers().get(0);
		assertThat(gateway.getName()).isEqualTo(container("gateway").getName());
		assertThat(gateway.getVolumeMounts()).singleElement().satisfies((mount) -> {
			assertThat(mount.getMountPath()).isEqualTo(directory);
			assertThat(patch.getSpec().getTemplate().getSpec().getVolumes()).singleElement()
				.satisfies((volume) -> assertThat(volume.getName()).isEqualTo(mount.getName()));
		});
		assertThat(patch.getSpec().getTemplate().getSpec().getSecurityContext().getFsGroup())
			.as("the Secret's files readable by the gateway's group")
			.isEqualTo(deployment("gateway").getSpec().getTemplate().getSpec().getSecurityContext().getRunAsGroup());

		JsonNode compose = yaml.readTree(ROOT.resolve("docker-compose.tls.yml").toFile()).at("/services/gateway");
		assertThat(compose.at("/volumes/0").asText()).isEqualTo("./tls:" + directory + ":ro");
		assertThat(compose.at("/environment/SPRING_PROFILES_ACTIVE").asText()).isEqualTo("dns,tls");
	}

	@Test
	void shouldMatchEverySelectorToItsPods() {
		for (Deployment deployment : all(Deployment.class)) {
			assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
				.containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
		}
		for (Service service : all(Service.class)) {
			assertThat(all(Deployment.class)).as("pods of service " + service.getMetadata().getName())
				.anySatisfy((d) -> assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
					.containsAllEntriesOf(service.getSpec().getSelector()));
		}
		for (PodDisruptionBudget budget : all(PodDisruptionBudget.class)) {
			assertThat(all(Deployment.class)).as("pods of budget " + budget.getMetadata().getName())
				.anySatisfy((d) -> assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
					.containsAllEntriesOf(budget.getSpec().getSelector().getMatchLabels()));
		}
		HorizontalPodAutoscaler autoscaler = only(HorizontalPodAutoscaler.class, "worker");
		assertThat(autoscaler.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
		assertThat(deployment(autoscaler.getSpec().getScaleTargetRef().getName())).isNotNull();
		assertThat(autoscaler.getSpec().getMinReplicas()).isEqualTo(3);
		assertThat(deployment("gateway").getSpec().getReplicas()).isEqualTo(2);
		assertThat(deployment("worker").getSpec().getReplicas()).isEqualTo(3);
		assertThat(only(Service.class, "gateway").getSpec().getPorts())
			.allSatisfy((p) -> assertThat(p.getTargetPort().getStrVal()).isEqualTo("http"));
	}

	@Test
	void shouldRunEveryContainerLockedDownWithBoundedResources() {
		for (Deployment deployment : all(Deployment.class)) {
			PodSpec pod = deployment.getSpec().getTemplate().getSpec();
			assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
			assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThanOrEqualTo(30);
			assertThat(pod.getTopologySpreadConstraints()).isNotEmpty();
			for (Container container : pod.getContainers()) {
				assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
				assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
				assertThat(container.getSecurityContext().getCapabilities().getDrop()).contains("ALL");
				assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
				assertThat(container.getResources().getLimits()).containsKeys("cpu", "memory");
				assertThat(container.getLifecycle().getPreStop().getSleep().getSeconds()).isPositive();
				assertThat(container.getVolumeMounts())
					.anySatisfy((m) -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
			}
		}
	}

	private static void assertProbes(Container container, String portName, int port) {
		assertThat(container.getPorts())
			.anySatisfy((p) -> assertThat(p.getName() + ":" + p.getContainerPort()).isEqualTo(portName + ":" + port));
		Map<String, Probe> probes = Map.of("/actuator/health/liveness", container.getLivenessProbe(),
				"/actuator/health/readiness", container.getReadinessProbe());
		probes.forEach((path, probe) -> {
			assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
			assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo(portName);
		});
		assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
		assertThat(container.getStartupProbe().getHttpGet().getPort().getStrVal()).isEqualTo(portName);
	}

	/** ${NAME:default} resolved against the environment, as Spring does. */
	private static String placeholder(String value, Map<String, String> env) {
		Matcher matcher = Pattern.compile("\\$\\{([^:}]+)(?::([^}]*))?}").matcher(value);
		if (!matcher.matches()) {
			return value;
		}
		return env.getOrDefault(matcher.group(1), matcher.group(2));
	}

	private static Container container(String deployment) {
		return deployment(deployment).getSpec().getTemplate().getSpec().getContainers().get(0);
	}

	private static Deployment deployment(String name) {
		return only(Deployment.class, name);
	}

	private static <T extends HasMetadata> T only(Class<T> type, String name) {
		List<T> found = all(type).stream().filter((r) -> name.equals(r.getMetadata().getName())).toList();
		assertThat(found).as(type.getSimpleName() + " " + name).hasSize(1);
		return found.get(0);
	}

	private static <T extends HasMetadata> List<T> all(Class<T> type) {
		return resources.stream().filter(type::isInstance).map(type::cast).toList();
	}

	private static HasMetadata parseStrictly(Path file) throws IOException {
		try (InputStream in = Files.newInputStream(file)) {
			HasMetadata resource = new KubernetesSerialization().unmarshal(in);
			assertThat(resource).as(file + " is a known kind").isNotNull();
			assertKnownFieldsOnly(resource, file.getFileName().toString());
			return resource;
		}
	}

	/**
	 * The model keeps fields it does not know in "additional properties" instead of
	 * failing: any found anywhere is a typo or a field of another API version.
	 */
	static void assertKnownFieldsOnly(Object node, String path) {
		if (node instanceof Collection<?> items) {
			int i = 0;
			for (Object item : items) {
				assertKnownFieldsOnly(item, path + "[" + i++ + "]");
			}
			return;
		}
		if (node instanceof Map<?, ?> map) {
			map.forEach((key, value) -> assertKnownFieldsOnly(value, path + "." + key));
			return;
		}
		if (node == null || !node.getClass().getPackageName().startsWith("io.fabric8")) {
			return;
		}
		for (Method getter : node.getClass().getMethods()) {
			if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get")
					|| !getter.getDeclaringClass().getPackageName().startsWith("io.fabric8")) {
				continue;
			}
			Object value = invoke(getter, node);
			if (getter.getName().equals("getAdditionalProperties")) {
				if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
					throw new IllegalArgumentException(path + ": unknown fields " + extra.keySet());
				}
			}
			else if (!IGNORED_GETTERS.contains(getter.getName())) {
				assertKnownFieldsOnly(value, path + "." + getter.getName().substring(3));
			}
		}
	}

	private static final Set<String> IGNORED_GETTERS = Set.of("getClass", "getPlural", "getSingular");

	private static Object invoke(Method getter, Object target) {
		try {
			return getter.invoke(target);
		}
		catch (IllegalAccessException | InvocationTargetException ex) {
			throw new IllegalStateException(getter + " failed", ex);
		}
	}

}
