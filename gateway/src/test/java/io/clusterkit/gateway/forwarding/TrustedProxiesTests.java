package io.clusterkit.gateway.forwarding;

import java.net.InetAddress;
import java.util.List;

import io.netty.util.NetUtil;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class TrustedProxiesTests {

	static final TrustedProxies proxies = TrustedProxies.parse(
			List.of("10.0.0.0/8", "192.168.1.7", "172.16.0.0/12", "fd00::/8", "2001:db8::1", "100.64.0.0/10"), "key");

	@ParameterizedTest
	@CsvSource({ "10.0.0.1,true", "10.255.255.255,true", "11.0.0.1,false", "9.255.255.255,false", "192.168.1.7,true",
			"192.168.1.8,false", "172.16.0.1,true", "172.31.255.255,true", "172.32.0.1,false", "fd12:3456::1,true",
			"fe80::1,false", "2001:db8::1,true", "2001:db8::2,false", "::ffff:10.1.2.3,true", "::ffff:11.1.2.3,false",
			"100.64.0.1,true", "100.127.255.255,true", "100.128.0.0,false" })
	void shouldMatchAddressesByTheirBits(String address, boolean trusted) {
		assertThat(proxies.contains(address(address))).isEqualTo(trusted);
	}

	@ParameterizedTest
	@ValueSource(strings = { "127.0.0.1", "::1" })
	void shouldTrustNobodyWhenEmpty(String address) {
		TrustedProxies none = TrustedProxies.parse(List.of(), "key");
		assertThat(none.isEmpty()).isTrue();
		assertThat(none.contains(address(address))).isFalse();
		assertThat(none.contains(null)).isFalse();
	}

	@ParameterizedTest
	@ValueSource(strings = { "0.0.0.0/0", "::/0" })
	void shouldTrustEveryoneOfAFamilyWithAZeroPrefix(String block) {
		TrustedProxies all = TrustedProxies.parse(List.of(block), "key");
		assertThat(all.contains(address(block.contains(":") ? "2001:db8::7" : "203.0.113.9"))).isTrue();
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "proxy.example|must be an IP address", "10.0.0.0/33|prefix length",
			"10.0.0.0/x|prefix length", "::1/129|prefix length", "''|must be an IP address" })
	void shouldRefuseMalformedEntriesNamingTheKey(String entry, String message) {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> TrustedProxies.parse(List.of("10.0.0.1", entry), "cluster.forwarding.trusted-proxies"))
			.withMessageContaining("cluster.forwarding.trusted-proxies[1]")
			.withMessageContaining(message);
	}

	static InetAddress address(String literal) {
		return NetUtil.createInetAddressFromIpAddressString(literal);
	}

}
