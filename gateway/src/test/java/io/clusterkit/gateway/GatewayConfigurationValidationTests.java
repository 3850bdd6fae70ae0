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
	@CsvSource(delimiter = '|',
			textBlock = """
							cluster.balancer.algorithm                                                   | fastest | cluster.balancer.algorithm
							cluster.balancer.services.worker-service.algorithm                           | random  | cluster.balancer.services.worker-service.algorithm
							cluster.balancer.peak-ewma.decay                                             | 0s      | cluster.balancer.peakEwma.decay
							cluster.balancer.slow-start.window                                           | -1s     | cluster.balancer.slowStart.window
							cluster.balancer.slow-start.window                                           | 2h      | cluster.balancer.slowStart.window
							cluster.balancer.slow-start.initial-percent                                  | 0       | cluster.balancer.slowStart.initialPercent
							cluster.balancer.slow-start.initial-percent                                  | 101     | cluster.balancer.slowStart.initialPercent
					cluster.discovery.dns.refresh-interval                                       | 10ms    | cluster.discovery.dns.refreshInterval
					cluster.discovery.dns.name-server                                            | nohost  | cluster.discovery.dns.nameServer
					cluster.discovery.dns.services.worker-service.port                           | 70000   | cluster.discovery.dns.services[worker-service].port
					cluster.discovery.dns.services.worker-service.host                           | ' '     | cluster.discovery.dns.services[worker-service].host
							cluster.dashboard.enabled                                                    | maybe   | cluster.dashboard.enabled
							spring.cloud.discovery.client.simple.instances.worker-service[1].metadata.weight | 1001  | spring.cloud.discovery.client.simple.instances.worker-service[1].metadata.weight
							spring.cloud.discovery.client.simple.instances.worker-service[0].metadata.weight | heavy | spring.cloud.discovery.client.simple.instances.worker-service[0].metadata.weight
							spring.cloud.discovery.client.simple.instances.worker-service[2].metadata.weight | -1    | spring.cloud.discovery.client.simple.instances.worker-service[2].metadata.weight
							""")
	void shouldRefuseToStartNamingTheKey(String key, String value, String named) {
		SpringApplication application = new SpringApplication(GatewayApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		assertThatThrownBy(() -> application.run("--" + key + "=" + value, "--spring.main.banner-mode=off",
				"--management.server.port=0"))
			.hasStackTraceContaining(named);
	}

}
