package io.clusterkit.gateway;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A wrong balancer setting stops start-up with a message that names the key.
 */
class GatewayConfigurationValidationTests {

	@ParameterizedTest
	@CsvSource({ "cluster.balancer.algorithm,fastest", "cluster.balancer.services.worker-service.algorithm,random",
			"cluster.balancer.peak-ewma.decay,0s",
			"spring.cloud.discovery.client.simple.instances.worker-service[1].metadata.weight,1001",
			"spring.cloud.discovery.client.simple.instances.worker-service[0].metadata.weight,heavy",
			"spring.cloud.discovery.client.simple.instances.worker-service[2].metadata.weight,-1" })
	void shouldRefuseToStartNamingTheKey(String key, String value) {
		SpringApplication application = new SpringApplication(GatewayApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		String named = key.endsWith("decay") ? "decay" : key;
		assertThatThrownBy(() -> application.run("--" + key + "=" + value, "--spring.main.banner-mode=off",
				"--management.server.port=0"))
			.hasStackTraceContaining(named);
	}

}
