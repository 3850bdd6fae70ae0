package io.clusterkit.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 over a plain socket, byte for byte as written: what no HTTP client would send
 * (malformed lines, huge headers, trickled bytes, path tricks) reaches the gateway as the
 * test wrote it. Optionally from another loopback address ({@code 127.0.0.2}), so the
 * gateway's peer differs from the gateway's own address.
 */
public final class RawHttp implements AutoCloseable {

	private final Socket socket;

	private final InputStream in;

	private final OutputStream out;

	private RawHttp(Socket socket) throws IOException {
		this.socket = socket;
		this.in = socket.getInputStream();
		this.out = socket.getOutputStream();
	}

	public static RawHttp connect(int port) {
		return connect("127.0.0.1", port);
	}

	public static RawHttp connect(String fromAddress, int port) {
		try {
			Socket socket = new Socket();
			socket.bind(new InetSocketAddress(InetAddress.getByName(fromAddress), 0));
			socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
			socket.setSoTimeout(10_000);
			return new RawHttp(socket);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Speak over a socket already connected, a TLS one for instance.
	 * @param socket the socket
	 * @return the connection
	 */
	public static RawHttp over(Socket socket) {
		try {
			socket.setSoTimeout(10_000);
			return new RawHttp(socket);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** A request line and headers, CRLF after each line, an empty line added. */
	public static String head(String requestLine, String... headers) {
		StringBuilder head = new StringBuilder(requestLine).append("\r\n");
		for (String header : headers) {
			head.append(header).append("\r\n");
		}
		return head.append("\r\n").toString();
	}

	public RawHttp send(String text) {
		return send(text.getBytes(StandardCharsets.ISO_8859_1));
	}

	public RawHttp send(byte[] bytes) {
		try {
			this.out.write(bytes);
			this.out.flush();
			return this;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** One exchange on this connection. */
	public Response exchange(String request) {
		return send(request).read();
	}

	public Response read() {
		return read(Duration.ofSeconds(10));
	}

	/**
	 * Read one response: the head, then a body framed by length, by chunks, or by close.
	 */
	public Response read(Duration timeout) {
		Response head = readHead(timeout);
		try {
			return new Response(head.status(), head.headers(), body(head.headers()));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Read a response's head only: what an upgrade answers before the protocol changes.
	 */
	public Response readHead(Duration timeout) {
		try {
			this.socket.setSoTimeout((int) timeout.toMillis());
			String statusLine = line();
			if (statusLine == null) {
				throw new IOException("connection closed before a response");
			}
			Map<String, List<String>> headers = new TreeMap<>();
			for (String line = line(); line != null && !line.isEmpty(); line = line()) {
				int colon = line.indexOf(':');
				headers
					.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), (k) -> new ArrayList<>())
					.add(line.substring(colon + 1).trim());
			}
			int status = Integer.parseInt(statusLine.split(" ")[1]);
			return new Response(status, headers, "");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Exactly {@code count} bytes, as they come: frames of an upgraded protocol. */
	public byte[] readBytes(int count, Duration timeout) {
		try {
			this.socket.setSoTimeout((int) timeout.toMillis());
			byte[] bytes = this.in.readNBytes(count);
			if (bytes.length < count) {
				throw new IOException("connection closed after " + bytes.length + " of " + count + " bytes");
			}
			return bytes;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Whether the gateway closed the connection within the time (end of stream or reset).
	 */
	public boolean isClosedWithin(Duration timeout) {
		try {
			this.socket.setSoTimeout((int) timeout.toMillis());
			while (this.in.read() >= 0) {
				// whatever was still on its way
			}
			return true;
		}
		catch (SocketTimeoutException ex) {
			return false;
		}
		catch (IOException ex) {
			return true;
		}
	}

	private String body(Map<String, List<String>> headers) throws IOException {
		List<String> length = headers.get("content-length");
		if (length != null) {
			return new String(this.in.readNBytes(Integer.parseInt(length.get(0))), StandardCharsets.UTF_8);
		}
		List<String> encoding = headers.get("transfer-encoding");
		if (encoding != null && encoding.get(0).equalsIgnoreCase("chunked")) {
			ByteArrayOutputStream body = new ByteArrayOutputStream();
			for (int size = Integer.parseInt(line().trim(), 16); size > 0; size = Integer.parseInt(line().trim(), 16)) {
				body.write(this.in.readNBytes(size));
				line();
			}
			line();
			return body.toString(StandardCharsets.UTF_8);
		}
		return new String(this.in.readAllBytes(), StandardCharsets.UTF_8);
	}

	private String line() throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int b;
		while ((b = this.in.read()) >= 0) {
			if (b == '\n') {
				byte[] bytes = line.toByteArray();
				int end = (bytes.length > 0 && bytes[bytes.length - 1] == '\r') ? bytes.length - 1 : bytes.length;
				return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
			}
			line.write(b);
		}
		return (line.size() > 0) ? line.toString(StandardCharsets.ISO_8859_1) : null;
	}

	@Override
	public void close() {
		try {
			this.socket.close();
		}
		catch (IOException ex) {
			// closing is all that was asked
		}
	}

	/** A response as read off the wire. Header names lower-cased. */
	public record Response(int status, Map<String, List<String>> headers, String body) {

		public String header(String name) {
			List<String> values = this.headers.get(name.toLowerCase(Locale.ROOT));
			return (values != null) ? values.get(0) : null;
		}

	}

}
