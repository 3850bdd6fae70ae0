package io.clusterkit.worker.api;

import io.clusterkit.worker.WorkerProperties;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Returns the request body and its content type unchanged. The body is read only up to
 * the limit, so an oversized or endless chunked upload costs at most the limit in memory.
 *
 * @author clusterkit
 */
@RestController
@RequestMapping(ApiPaths.V1)
class EchoController {

	private final int maxBytes;

	EchoController(WorkerProperties properties) {
		this.maxBytes = (int) Math.min(Integer.MAX_VALUE, properties.echo().maxBytes().toBytes());
	}

	@PostMapping(path = "/echo", consumes = { MediaType.TEXT_PLAIN_VALUE, "text/*", MediaType.APPLICATION_JSON_VALUE,
			"application/*+json", MediaType.APPLICATION_XML_VALUE, MediaType.APPLICATION_OCTET_STREAM_VALUE })
	Mono<ResponseEntity<byte[]>> echo(ServerHttpRequest request) {
		MediaType contentType = request.getHeaders().getContentType();
		if (request.getHeaders().getContentLength() > this.maxBytes) {
			return Mono.error(tooLarge());
		}
		return DataBufferUtils.join(request.getBody(), this.maxBytes).map((buffer) -> {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			DataBufferUtils.release(buffer);
			return bytes;
		})
			.defaultIfEmpty(new byte[0])
			.map((bytes) -> ResponseEntity.ok()
				.contentType((contentType != null) ? contentType : MediaType.APPLICATION_OCTET_STREAM)
				.body(bytes))
			.onErrorMap(DataBufferLimitException.class, (ex) -> tooLarge());
	}

	private ErrorResponseException tooLarge() {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE,
				"The request body exceeds the echo limit of " + this.maxBytes + " bytes.");
		return new ErrorResponseException(HttpStatus.CONTENT_TOO_LARGE, problem, null);
	}

}
