package io.clusterkit.gateway.proxy;

import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

import io.clusterkit.problem.ProblemMapper;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.timeout.ReadTimeoutException;
import org.jspecify.annotations.Nullable;
import reactor.netty.http.client.PrematureCloseException;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * Names the ways an upstream can fail a proxied request: it refused or did not accept the
 * connection, or closed it before answering (502), or answered too slowly (504). Without
 * this, Spring Cloud Gateway answers all of them with a bare 500.
 *
 * @author clusterkit
 */
class UpstreamProblems implements ProblemMapper {

	@Override
	public @Nullable ProblemDetail map(Throwable ex) {
		if (ex instanceof ConnectTimeoutException || ex instanceof ConnectException) {
			return problem(HttpStatus.BAD_GATEWAY, "The upstream instance could not be reached.");
		}
		if (ex instanceof PrematureCloseException) {
			return problem(HttpStatus.BAD_GATEWAY, "The upstream instance closed the connection before answering.");
		}
		if (ex instanceof ReadTimeoutException || ex instanceof TimeoutException) {
			return problem(HttpStatus.GATEWAY_TIMEOUT, "The upstream instance did not answer in time.");
		}
		if (ex instanceof IOException) {
			return problem(HttpStatus.BAD_GATEWAY,
					"The connection to the upstream instance failed before it answered.");
		}
		return null;
	}

	private static ProblemDetail problem(HttpStatus status, String detail) {
		return ProblemDetail.forStatusAndDetail(status, detail);
	}

}
