package io.clusterkit.gateway.limits;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import reactor.netty.http.server.HttpServer;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
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
			"[::1]x", "example.com:123456", "a b", "evil\"host", "a:", "shop.example;proto=https", "a,b", "a=b", "a!b",
			"a'b", "a(b)", "a*b", "a+b", "a%41" })
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

	@ParameterizedTest
	@ValueSource(strings = { "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS" })
	void shouldPassTheMethodsItServes(String method) {
		assertThat(RequestHeadGuard.refusalOf(hostRequest(HttpMethod.valueOf(method)))).isNull();
	}

	@Test
	void shouldRefuseTunnelsTracesAndUnknownMethods() {
		assertThat(RequestHeadGuard.refusalOf(hostRequest(HttpMethod.CONNECT)))
			.isSameAs(RequestHeadGuard.METHOD_NOT_ALLOWED);
		assertThat(RequestHeadGuard.refusalOf(hostRequest(HttpMethod.TRACE)))
			.isSameAs(RequestHeadGuard.METHOD_NOT_ALLOWED);
		assertThat(RequestHeadGuard.refusalOf(hostRequest(HttpMethod.valueOf("PROPFIND"))))
			.isSameAs(RequestHeadGuard.METHOD_NOT_IMPLEMENTED);
	}

	@Test
	void shouldRefuseMoreThanOneContentLengthWhateverTheVersion() {
		for (HttpVersion version : new HttpVersion[] { HttpVersion.HTTP_1_0, HttpVersion.HTTP_1_1 }) {
			HttpRequest twice = new DefaultHttpRequest(version, HttpMethod.POST, "/");
			twice.headers().add("Host", "a").add("Content-Length", "5").add("Content-Length", "50");
			assertThat(RequestHeadGuard.refusalOf(twice)).isSameAs(RequestHeadGuard.BAD_LENGTH);
			HttpRequest listed = new DefaultHttpRequest(version, HttpMethod.POST, "/");
			listed.headers().add("Host", "a").add("Content-Length", "5, 50");
			assertThat(RequestHeadGuard.refusalOf(listed)).isSameAs(RequestHeadGuard.BAD_LENGTH);
		}
	}

	@Test
	void shouldRefuseAnHttp10HeadWhoseContentLengthsTheDecoderFolded() {
		EmbeddedChannel channel = new EmbeddedChannel(
				new HttpServerCodec(PublicPortGuards.decoderConfig(HttpServer.create().configuration().decoder())));
		channel.writeInbound(
				Unpooled.copiedBuffer("POST /api/v1/echo HTTP/1.0\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc",
						StandardCharsets.US_ASCII));
		HttpRequest folded = channel.readInbound();
		assertThat(folded.headers().getAll("Content-Length")).as("what Netty leaves").containsExactly("2");
		assertThat(RequestHeadGuard.refusalOf(folded)).isSameAs(RequestHeadGuard.BAD_LENGTH);
		channel.finishAndReleaseAll();
	}

	@Test
	void shouldRefuseAForwardedHostThatIsNoListOfHosts() {
		HttpRequest forged = hostRequest(HttpMethod.GET);
		forged.headers().add("X-Forwarded-Host", "shop.example;proto=https");
		assertThat(RequestHeadGuard.refusalOf(forged)).isSameAs(RequestHeadGuard.BAD_FORWARDED_HOST);
		HttpRequest listed = hostRequest(HttpMethod.GET);
		listed.headers().add("X-Forwarded-Host", "shop.example, cdn.example:8443");
		assertThat(RequestHeadGuard.refusalOf(listed)).isNull();
	}

	@Test
	void shouldMakeTheSameChecksOfAnHttp2Head() {
		assertThat(http2Refusal(http2Head("GET", "/api", "gateway:8443"))).isNull();
		assertThat(http2Refusal(http2Head("TRACE", "/api", "gateway"))).isSameAs(RequestHeadGuard.METHOD_NOT_ALLOWED);
		assertThat(http2Refusal(http2Head("BREW", "/api", "gateway")))
			.isSameAs(RequestHeadGuard.METHOD_NOT_IMPLEMENTED);
		assertThat(http2Refusal(http2Head("GET", "/a|b", "gateway"))).isSameAs(RequestHeadGuard.BAD_TARGET);
		assertThat(http2Refusal(http2Head("GET", "/api", "a b"))).isSameAs(RequestHeadGuard.BAD_HOST);
		assertThat(http2Refusal(http2Head("GET", "/api", null))).as("no :authority, no Host")
			.isSameAs(RequestHeadGuard.BAD_HOST);
		assertThat(http2Refusal(http2Head("GET", "/api", null).add("host", "gateway")))
			.as("a Host instead of :authority")
			.isNull();
		assertThat(
				http2Refusal(http2Head("GET", "/api", "gateway").add("x-forwarded-host", "shop.example;proto=https")))
			.isSameAs(RequestHeadGuard.BAD_FORWARDED_HOST);
	}

	@Test
	void shouldMeasureAnHttp2HeadAsHttp11LinesWouldHoldIt() {
		assertThat(http2Refusal(http2Head("GET", "/" + "a".repeat(63), "gateway"))).as("a :path at the line limit")
			.isNull();
		assertThat(http2Refusal(http2Head("GET", "/" + "a".repeat(64), "gateway")))
			.isSameAs(RequestHeadGuard.LINE_TOO_LONG);
		// "x-a: " and 123 bytes: 128, the pseudo-headers not counted
		assertThat(http2Refusal(http2Head("GET", "/api", "gateway").add("x-a", "v".repeat(123))))
			.as("headers at the size limit")
			.isNull();
		assertThat(http2Refusal(http2Head("GET", "/api", "gateway").add("x-a", "v".repeat(124))))
			.isSameAs(RequestHeadGuard.HEADERS_TOO_LARGE);
	}

	/** Limits of 64 bytes of :path and 128 of headers. */
	private static RawProblem http2Refusal(Http2Headers headers) {
		return RequestHeadGuard.refusalOf(headers, 64, 128);
	}

	private static Http2Headers http2Head(String method, String path, String authority) {
		Http2Headers headers = new DefaultHttp2Headers().method(method).path(path).scheme("https");
		return (authority != null) ? headers.authority(authority) : headers;
	}

	private static HttpRequest hostRequest(HttpMethod method) {
		HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, "/");
		request.headers().add("Host", "a");
		return request;
	}

	private static HttpRequest request(HttpVersion version, String uri) {
		return new DefaultHttpRequest(version, HttpMethod.GET, uri);
	}

}
