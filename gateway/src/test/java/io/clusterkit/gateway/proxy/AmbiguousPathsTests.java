package io.clusterkit.gateway.proxy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class AmbiguousPathsTests {

	@ParameterizedTest
	@ValueSource(strings = { "/..", "/.", "/api/..", "/api/../x", "/api/./x", "/api/.", "/api/..;x/y", "/api/.;/y",
			"/api/%2e%2e/x", "/api/%2E./x", "/api/a%2Fb", "/api/a%2fb", "/api/a%5Cb", "/api/a\\b", "/api/a%00",
			"/api/%2e", "/api/v1/..%3b/actuator", "/api/%252e%252e/actuator", "/api/%c0%ae%c0%ae/actuator",
			"/api/%C1%9C", "/api/%ff", "/api/%f5%80" })
	void shouldFindAmbiguousPaths(String path) {
		assertThat(AmbiguousPaths.isAmbiguous(path)).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "/", "", "/api/v1/hello", "/api/...", "/api/.hidden", "/api/file.json", "/api/a..b",
			"/api/..x", "/api/a%20b", "/api/%41", "/api/a;b=1", "/api/v1.2/x", "/api/%", "/api/caf%c3%a9",
			"/api/%e2%82%ac", "/api/%f0%9f%98%80" })
	void shouldPassOrdinaryPaths(String path) {
		assertThat(AmbiguousPaths.isAmbiguous(path)).isFalse();
	}

}
