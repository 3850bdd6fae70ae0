package io.clusterkit.management.dashboard;

import java.time.Duration;

import org.webjars.WebJarVersionLocator;

import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointProperties;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The live dashboard, {@code /actuator/dashboard} on the management port: a static page
 * that polls {@code /actuator/balancer} every second and draws it, with Chart.js from its
 * webjar, so it works with no network beyond the gateway. Loaded into the management
 * server's own context only (listed in
 * {@code META-INF/spring/...ManagementContextConfiguration.imports}), never on the public
 * port; that is why it lives outside {@code io.clusterkit.gateway}, where the main
 * context's component scan would also pick it up.
 *
 * @author clusterkit
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = DashboardProperties.PREFIX + ".enabled", matchIfMissing = true)
class DashboardConfiguration {

	private static final String CHART_JS = "dist/chart.umd.min.js";

	@Bean
	RouterFunction<ServerResponse> dashboard(WebEndpointProperties endpoints) {
		String page = endpoints.getBasePath() + "/dashboard";
		Resource index = new ClassPathResource("dashboard/index.html");
		Resource chartJs = chartJs();
		// The page's own files change with the gateway: always revalidated. Chart.js is
		// versioned by its webjar.
		return RouterFunctions.route()
			.GET(page,
					(request) -> ServerResponse.ok()
						.contentType(MediaType.TEXT_HTML)
						.cacheControl(CacheControl.noCache())
						.bodyValue(index))
			.GET(page + "/", (request) -> ServerResponse.status(301).header("Location", page).build())
			.GET(page + "/chart.js",
					(request) -> ServerResponse.ok()
						.contentType(MediaType.parseMediaType("text/javascript"))
						.cacheControl(CacheControl.maxAge(Duration.ofDays(1)))
						.bodyValue(chartJs))
			.resources(page + "/**", new ClassPathResource("dashboard/"),
					(resource, headers) -> headers.setCacheControl(CacheControl.noCache()))
			.filter((request, next) -> {
				// its buttons drain instances: no other page may frame it and trick a
				// click
				HttpHeaders headers = request.exchange().getResponse().getHeaders();
				headers.set("X-Frame-Options", "DENY");
				headers.set("Content-Security-Policy", "frame-ancestors 'none'");
				headers.set("X-Content-Type-Options", "nosniff");
				return next.handle(request);
			})
			.build();
	}

	private static Resource chartJs() {
		String path = new WebJarVersionLocator().fullPath("chart.js", CHART_JS);
		if (path == null) {
			throw new IllegalStateException("The chart.js webjar is missing from the classpath; the dashboard needs "
					+ CHART_JS + " from it (or set cluster.dashboard.enabled=false).");
		}
		return new ClassPathResource(path);
	}

}
