package io.clusterkit.gateway.limits;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class RequestHeadGuardTests {

	@ParameterizedTest
	@ValueSource(strings = { "example.com", "example.com:8080", "127.0.0.1", "127.0.0.1:80", "[::1]", "[::1]:8080",
			"[2001:db8::7]:443", "my_host-1.internal", "xn--bcher-kva.example" })
	void shouldAcceptHosts(String host) {
		assertThat(RequestHeadGuard.isHost(host)).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "", ":80", "lb://service", "a/b", "example.com:80:80", "example.com:port", "[::1", "[]",
			"[::1]x", "example.com:123456", "a b", "evil\"host" })
	void shouldRefuseWhatIsNoHost(String host) {
		assertThat(RequestHeadGuard.isHost(host)).isFalse();
	}

	@ParameterizedTest
	@ValueSource(strings = { "/", "/api/v1/hello?name=a%20b&x=1", "*", "http://example.com:8080/a?b", "example.com:443",
			"/a;b=c/d@e:f", "/x[0]" })
	void shouldAcceptRequestTargets(String target) {
		assertThat(RequestHeadGuard.isRequestTarget(target)).isTrue();
	}

	@ParameterizedTest
	@ValueSource(
			strings = { "", "/a\\b", "/a\"b", "/<script>", "/a|b", "/a{b}", "/a^b", "/a`b", "/\u00e9", "/a\u0001" })
	void shouldRefuseTargetsThatAreNoUri(String target) {
		assertThat(RequestHeadGuard.isRequestTarget(target)).isFalse();
	}

	@Test
	void shouldNameTheStatusOfEachDecodingFailure() {
		assertThat(RequestHeadGuard.problemFor(new TooLongHttpLineException("line")).status()).isEqualTo(414);
		assertThat(RequestHeadGuard.problemFor(new TooLongHttpHeaderException("headers")).status()).isEqualTo(431);
		assertThat(RequestHeadGuard.problemFor(new IllegalArgumentException("bad")).status()).isEqualTo(400);
	}

	@Test
	void shouldRefuseHeadsWithoutOneValidHost() {
		assertThat(RequestHeadGuard.refusalOf(request(HttpVersion.HTTP_1_1, "/"))).isSameAs(RequestHeadGuard.BAD_HOST);
		assertThat(RequestHeadGuard.refusalOf(request(HttpVersion.HTTP_1_0, "/"))).isNull();
		HttpRequest twice = request(HttpVersion.HTTP_1_1, "/");
		twice.headers().add("Host", "a").add("Host", "b");
		assertThat(RequestHeadGuard.refusalOf(twice)).isSameAs(RequestHeadGuard.BAD_HOST);
		HttpRequest once = request(HttpVersion.HTTP_1_1, "/");
		once.headers().add("Host", "a");
		assertThat(RequestHeadGuard.refusalOf(once)).isNull();
	}

	@Test
	void shouldRefuseOtherVersionsAndFailedDecodes() {
		HttpRequest future = request(HttpVersion.valueOf("HTTP/3.0"), "/");
		future.headers().add("Host", "a");
		assertThat(RequestHeadGuard.refusalOf(future)).isSameAs(RequestHeadGuard.VERSION_NOT_SUPPORTED);
		HttpRequest failed = request(HttpVersion.HTTP_1_1, "/bad-request");
		failed.setDecoderResult(DecoderResult.failure(new TooLongHttpHeaderException("big")));
		assertThat(RequestHeadGuard.refusalOf(failed)).isSameAs(RequestHeadGuard.HEADERS_TOO_LARGE);
	}

	private static HttpRequest request(HttpVersion version, String uri) {
		return new DefaultHttpRequest(version, HttpMethod.GET, uri);
	}

}
