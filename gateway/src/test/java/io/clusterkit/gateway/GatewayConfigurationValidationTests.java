package io.clusterkit.gateway;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A wrong setting stops start-up with a message that names the key.
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
							cluster.balancer.load-report.max-age                                         | 50ms    | cluster.balancer.loadReport.maxAge
							cluster.balancer.load-report.max-age                                         | 2m      | cluster.balancer.loadReport.maxAge
					cluster.discovery.dns.refresh-interval                                       | 10ms    | cluster.discovery.dns.refreshInterval
					cluster.discovery.dns.name-server                                            | nohost  | cluster.discovery.dns.nameServer
					cluster.discovery.dns.services.worker-service.port                           | 70000   | cluster.discovery.dns.services[worker-service].port
					cluster.discovery.dns.services.worker-service.host                           | ' '     | cluster.discovery.dns.services[worker-service].host
							cluster.dashboard.enabled                                                    | maybe   | cluster.dashboard.enabled
							spring.cloud.discovery.client.simple.instances.worker-service[1].metadata.weight | 1001  | spring.cloud.discovery.client.simple.instances.worker-service[1].metadata.weight
							spring.cloud.discovery.client.simple.instances.worker-service[0].metadata.weight | heavy | spring.cloud.discovery.client.simple.instances.worker-service[0].metadata.weight
							spring.cloud.discovery.client.simple.instances.worker-service[2].metadata.weight | -1    | spring.cloud.discovery.client.simple.instances.worker-service[2].metadata.weight
							cluster.limits.max-body-size                                                 | -1B     | cluster.limits.max-body-size
							cluster.limits.max-body-size                                                 | huge    | cluster.limits.max-body-size
							cluster.limits.header-timeout                                                | 0s      | cluster.limits.headerTimeout
							cluster.limits.max-connections                                               | 0       | cluster.limits.maxConnections
							cluster.limits.body-timeout                                                  | 0s      | cluster.limits.bodyTimeout
							cluster.limits.websocket-idle-timeout                                        | 100ms   | cluster.limits.websocketIdleTimeout
							cluster.limits.idle-timeout                                                  | 500ms   | cluster.limits.idleTimeout
							server.netty.idle-timeout                                                    | 60s     | set cluster.limits.idle-timeout instead
							cluster.limits.max-connections-per-client                                    | -1      | cluster.limits.maxConnectionsPerClient
							cluster.health.ejection.max-ejection-percent                                 | 101     | cluster.health.ejection.maxEjectionPercent
							cluster.proxy.response-timeout                                               | 0s      | cluster.proxy.responseTimeout
							cluster.membership.refresh-interval                                          | 10ms    | cluster.membership.refreshInterval
							cluster.health.latency-outliers.factor                                       | 1       | cluster.health.latencyOutliers.factor
							cluster.health.latency-outliers.min-requests                                 | 0       | cluster.health.latencyOutliers.minRequests
							cluster.membership.departure-grace                                           | 2h      | cluster.membership.departureGrace
							spring.cloud.gateway.server.webflux.httpclient.response-timeout              | 5s      | set cluster.proxy.response-timeout instead
							spring.cloud.gateway.server.webflux.httpclient.connect-timeout               | 2000    | set cluster.proxy.connect-timeout instead
							cluster.proxy.connect-timeout                                                | 5ms     | cluster.proxy.connectTimeout
							cluster.health.latency-outliers.ejection-time                                | 0s      | cluster.health.latencyOutliers.ejectionTime
							cluster.rate-limit.requests-per-second                                       | 0       | cluster.rate-limit.requestsPerSecond
							cluster.rate-limit.burst                                                     | 0       | cluster.rate-limit.burst
							cluster.rate-limit.enabled                                                   | sure    | cluster.rate-limit.enabled
							cluster.forwarding.trusted-proxies                                           | 10.0.0.0/33 | cluster.forwarding.trusted-proxies[0]
							cluster.forwarding.trusted-proxies                                           | 10.0.0.1,lb.internal | cluster.forwarding.trusted-proxies[1]
							cluster.forwarding.proxy-protocol                                            | true    | cluster.forwarding.trusted-proxies
							cluster.tls.hsts-max-age                                                     | 800d    | cluster.tls.hstsMaxAge
							cluster.limits.max-concurrent-streams                                        | 0       | cluster.limits.maxConcurrentStreams
							""")
	void shouldRefuseToStartNamingTheKey(String key, String value, String named) {
		assertThatThrownBy(() -> run("--" + key + "=" + value)).hasStackTraceContaining(named);
	}

	@Test
	void shouldRefuseARouteBodyLimitThatIsNoSize() {
		String route = "--spring.cloud.gateway.server.webflux.routes[0].";
		assertThatThrownBy(() -> run(route + "id=api", route + "uri=lb://worker-service",
				route + "predicates[0]=Path=/api/**", route + "metadata.max-body-size=lots"))
			.hasStackTraceContaining("spring.cloud.gateway.server.webflux.routes[0].metadata.max-body-size")
			.hasStackTraceContaining("'lots'");
	}

	@ParameterizedTest
	@CsvSource({ "response-timeout, cluster.proxy.response-timeout", "connect-timeout, cluster.proxy.connect-timeout" })
	void shouldRefuseARouteTimeoutThatWouldNotApplyAsItSays(String key, String instead) {
		String route = "--spring.cloud.gateway.server.webflux.routes[0].";
		assertThatThrownBy(() -> run(route + "id=api", route + "uri=lb://worker-service",
				route + "predicates[0]=Path=/api/**", route + "metadata." + key + "=500"))
			.hasStackTraceContaining("spring.cloud.gateway.server.webflux.routes[0].metadata." + key)
			.hasStackTraceContaining("set " + instead + " instead");
	}

	private static void run(String... args) {
		SpringApplication application = new SpringApplication(GatewayApplication.class);
		// as the gateway runs, a reactive web application: the upstream clients' TLS
		// needs
		// the server's settings; on free ports, in case one setting passed
		application.setWebApplicationType(WebApplicationType.REACTIVE);
		String[] all = Arrays.copyOf(args, args.length + 3);
		all[args.length] = "--spring.main.banner-mode=off";
		all[args.length + 1] = "--management.server.port=0";
		all[args.length + 2] = "--server.port=0";
		application.run(all);
	}

}
