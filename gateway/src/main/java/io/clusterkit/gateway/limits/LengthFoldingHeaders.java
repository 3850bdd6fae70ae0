package io.clusterkit.gateway.limits;

import java.util.Iterator;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;

/**
 * Request headers that remember when Netty's decoder folded several
 * {@code Content-Length} values into one. For HTTP/1.1 it refuses them itself; for
 * HTTP/1.0 it keeps the first and frames the body by it, so a front proxy that framed by
 * another value would see the rest of the body as a smuggled request. The fold is the
 * only trace left: the decoder replaces the values before any handler sees the head.
 * Validation is Netty's default.
 *
 * @author clusterkit
 */
final class LengthFoldingHeaders extends DefaultHttpHeaders {

	private static final DefaultHttpHeadersFactory DEFAULTS = DefaultHttpHeadersFactory.headersFactory();

	/** What the public port's decoder makes request heads with. */
	static final HttpHeadersFactory FACTORY = new HttpHeadersFactory() {

		@Override
		public HttpHeaders newHeaders() {
			return new LengthFoldingHeaders();
		}

		@Override
		public HttpHeaders newEmptyHeaders() {
			return new LengthFoldingHeaders();
		}

	};

	private boolean folded;

	private LengthFoldingHeaders() {
		super(DEFAULTS.getNameValidator(), DEFAULTS.getValueValidator());
	}

	@Override
	public HttpHeaders set(CharSequence name, Object value) {
		if (!this.folded && HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)) {
			Iterator<String> values = valueStringIterator(name);
			this.folded = values.hasNext() && (values.next().indexOf(',') >= 0 || values.hasNext());
		}
		return super.set(name, value);
	}

	/**
	 * Whether the head came with more than one {@code Content-Length} value.
	 * @return true when they were folded into one
	 */
	boolean foldedContentLengths() {
		return this.folded;
	}

}
