package io.clusterkit.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A gateway's {@code /actuator/balancer} view of the {@code worker-service}, read over
 * real HTTP from its management port.
 */
public final class BalancerView {

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private static final JsonMapper json = JsonMapper.builder().build();

	private BalancerView() {
	}

	/**
	 * One instance of the view.
	 * @param managementPort the gateway's management port
	 * @param address the instance's {@code host:port}
	 * @return its entry, or null when the view does not list it
	 */
	public static JsonNode instance(int managementPort, String address) {
		try {
			HttpResponse<String> response = http.send(HttpRequest
				.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/actuator/balancer/worker-service"))
				.timeout(Duration.ofSeconds(10))
				.build(), HttpResponse.BodyHandlers.ofString());
			for (JsonNode instance : json.readTree(response.body()).path("instances")) {
				if (address.equals(instance.path("address").asString())) {
					return instance;
				}
			}
			return null;
		}
		catch (Exception ex) {
			throw new IllegalStateException("No balancer view on port " + managementPort, ex);
		}
	}

}
