package io.clusterkit.gateway.forwarding;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.clusterkit.gateway.forwarding.TrustedProxiesTests.address;
import static org.assertj.core.api.Assertions.assertThat;

class ClientAddressTests {

	static final ClientAddress clients = new ClientAddress(
			TrustedProxies.parse(List.of("10.0.0.0/8", "2001:db8::/32"), "key"));

	@ParameterizedTest(name = "peer {0}, X-Forwarded-For [{1}] -> {2}")
	@CsvSource(delimiter = '|', nullValues = "none", value = { "203.0.113.9 | 198.51.100.1         | 203.0.113.9",
			"10.0.0.2    | none                 | 10.0.0.2", "10.0.0.2    | 198.51.100.1         | 198.51.100.1",
			"10.0.0.2    | 198.51.100.1, 10.0.0.3 | 198.51.100.1",
			"10.0.0.2    | 1.1.1.1, 198.51.100.1, 10.0.0.3 | 198.51.100.1",
			"10.0.0.2    | 10.0.0.4, 10.0.0.3   | 10.0.0.4", "10.0.0.2    | garbage, 10.0.0.3    | 10.0.0.3",
			"10.0.0.2    | 198.51.100.1:5443    | 198.51.100.1", "10.0.0.2    | [2001:db9::5]:443    | 2001:db9::5",
			"2001:db8::9 | 2001:db9::5          | 2001:db9::5", "10.0.0.2    | 198.51.100.1;;10.0.0.3 | 198.51.100.1" })
	void shouldReadTheChainFromTheRightUpToTheFirstUntrustedHop(String peer, String forwardedFor, String client) {
		List<String> values = (forwardedFor != null) ? Arrays.asList(forwardedFor.split(";;")) : null;
		assertThat(clients.resolve(address(peer), values)).isEqualTo(address(client));
	}

}
