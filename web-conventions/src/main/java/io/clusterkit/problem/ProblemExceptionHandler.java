package io.clusterkit.problem;

import java.net.URI;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.netty.channel.AbortedException;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.codec.HttpMessageWriter;
import org.springframework.web.ErrorResponse;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.result.view.ViewResolver;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;

/**
 * Answers every failure that reaches the web layer with an RFC 9457
 * {@code application/problem+json} body: Spring's own {@link ErrorResponse} exceptions
 * (404, 405, 415, 413, ...) keep their status, headers and detail; failures named by a
 * {@link ProblemMapper} get the mapper's problem; anything else is a 500 whose body says
 * nothing of the cause, while the log keeps the stack trace. A peer that closed its
 * connection (Reactor Netty's {@link AbortedException}: a client that left, or a gateway
 * that aborted an upload it could not complete) gets no answer and one DEBUG line: it is
 * nobody's failure. Ordered before Spring Boot's {@code DefaultErrorWebExceptionHandler}
 * so no client ever sees Boot's error map or a stack trace.
 *
 * @author clusterkit
 */
public class ProblemExceptionHandler implements WebExceptionHandler, Ordered {

	/** Runs before Spring Boot's error handler, which is ordered at -1. */
	public static final int ORDER = -2;

	private static final Log logger = LogFactory.getLog(ProblemExceptionHandler.class);

	private final List<ProblemMapper> mappers;

	private final ServerResponse.Context context;

	public ProblemExceptionHandler(List<HttpMessageWriter<?>> writers, List<ProblemMapper> mappers) {
		this.mappers = List.copyOf(mappers);
		this.context = new ServerResponse.Context() {

			@Override
			public List<HttpMessageWriter<?>> messageWriters() {
				return writers;
			}

			@Override
			public List<ViewResolver> viewResolvers() {
				return List.of();
			}

		};
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
		if (ex instanceof AbortedException) {
			// the peer closed its connection: nobody is left to answer, and nothing
			// failed
			if (logger.isDebugEnabled()) {
				logger.debug("Peer closed the connection of " + exchange.getRequest().getMethod() + " "
						+ exchange.getRequest().getPath() + ": " + ex.getMessage());
			}
			return Mono.empty();
		}
		if (exchange.getResponse().isCommitted()) {
			return Mono.error(ex);
		}
		HttpHeaders headers = new HttpHeaders();
		ProblemDetail problem = toProblem(ex, headers);
		if (problem.getInstance() == null) {
			problem.setInstance(URI.create(exchange.getRequest().getURI().getRawPath()));
		}
		exchange.getResponse().getHeaders().clearContentHeaders();
		return ServerResponse.status(problem.getStatus())
			.headers((target) -> target.addAll(headers))
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.bodyValue(problem)
			.flatMap((response) -> response.writeTo(exchange, this.context));
	}

	private ProblemDetail toProblem(Throwable ex, HttpHeaders headers) {
		if (ex instanceof ErrorResponse errorResponse) {
			headers.addAll(errorResponse.getHeaders());
			logIfServerError(errorResponse.getStatusCode().value(), ex);
			return errorResponse.getBody();
		}
		for (ProblemMapper mapper : this.mappers) {
			ProblemDetail problem = mapper.map(ex);
			if (problem != null) {
				logIfServerError(problem.getStatus(), ex);
				return problem;
			}
		}
		logger.error("Unexpected failure; answered 500", ex);
		return ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
				"The server met an unexpected condition; the failure was logged.");
	}

	private static void logIfServerError(int status, Throwable ex) {
		if (status >= 500 && logger.isDebugEnabled()) {
			logger.debug("Answered " + status + ": " + ex);
		}
	}

}
