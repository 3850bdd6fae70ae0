package io.clusterkit.management;

import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The gateway's management port as an operator's tool talks to it.
 */
final class Management {

	private static final JsonMapper json = JsonMapper.builder().build();

	private final WebTestClient client;

	Management(int port) {
		this.client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build();
	}

	/**
	 * GET a JSON document that must be there.
	 * @param uri the path
	 * @return the document
	 */
	JsonNode read(String uri) {
		return json.readTree(this.client.get()
			.uri(uri)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody());
	}

	/**
	 * POST a JSON body.
	 * @param uri the path
	 * @param body the body
	 * @param password the operator's password, or null to send no credentials
	 * @return the response, to check
	 */
	WebTestClient.ResponseSpec post(String uri, Map<String, ?> body, @Nullable String password) {
		return this.client.post().uri(uri).headers((headers) -> {
			if (password != null) {
				headers.setBasicAuth("operator", password);
			}
		}).contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
	}

	/**
	 * POST an operation that must succeed.
	 * @param uri the instance's path
	 * @param body the operation
	 * @param password the operator's password
	 * @return the instance as the answer shows it
	 */
	JsonNode operate(String uri, Map<String, ?> body, String password) {
		return json.readTree(post(uri, body, password).expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody());
	}

	WebTestClient client() {
		return this.client;
	}

}
