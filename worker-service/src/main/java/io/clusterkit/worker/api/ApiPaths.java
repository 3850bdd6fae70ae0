package io.clusterkit.worker.api;

import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * The /api surface, the one that counts requests and suffers injected faults.
 *
 * @author clusterkit
 */
public final class ApiPaths {

	static final String V1 = "/api/v1";

	private ApiPaths() {
	}

	public static boolean isApi(ServerHttpRequest request) {
		return request.getPath().pathWithinApplication().value().startsWith("/api/");
	}

}
