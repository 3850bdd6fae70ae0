package io.clusterkit.gateway.proxy;

/**
 * The paths refused with 400 ({@link EntryFilter}): those that could mean one thing to
 * the gateway's routes and another to whatever reads them next: dot-segments
 * ({@code /api/../actuator}), their percent-encoded and path-parameter forms
 * ({@code %2e%2e}, {@code ..;}), encoded slashes and backslashes ({@code %2f},
 * {@code %5c}), raw backslashes and encoded NUL, and the forms that become one of these
 * after a second decoding or a lenient one. Routes match the path as sent; a worker,
 * framework or proxy behind that normalizes it would otherwise serve
 * {@code /actuator/...} through the {@code /api/**} route. No legitimate client needs any
 * of these, so refusing beats normalizing (Envoy's {@code REJECT_REQUEST} for escaped
 * slashes).
 *
 * @author clusterkit
 */
final class AmbiguousPaths {

	static final String REFUSAL = "The request path holds a dot-segment, an encoded slash, dot, backslash, percent or"
			+ " semicolon, invalid UTF-8, or a NUL; such paths are refused.";

	private AmbiguousPaths() {
	}

	static boolean isAmbiguous(String rawPath) {
		int length = rawPath.length();
		int segmentStart = 0;
		for (int i = 0; i <= length; i++) {
			char c = (i < length) ? rawPath.charAt(i) : '/';
			if (c == '/') {
				if (isDotSegment(rawPath, segmentStart, i)) {
					return true;
				}
				segmentStart = i + 1;
			}
			else if (c == '\\') {
				return true;
			}
			else if (c == '%' && i + 2 < length && isSuspectEscape(rawPath.charAt(i + 1), rawPath.charAt(i + 2))) {
				return true;
			}
		}
		return false;
	}

	/** {@code .} or {@code ..}, alone or before path parameters ({@code ..;x}). */
	private static boolean isDotSegment(String path, int start, int end) {
		int semicolon = path.indexOf(';', start);
		int nameEnd = (semicolon >= 0 && semicolon < end) ? semicolon : end;
		int length = nameEnd - start;
		return (length == 1 && path.charAt(start) == '.')
				|| (length == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.');
	}

	/**
	 * {@code %2e} (dot), {@code %2f} (slash), {@code %5c} (backslash), {@code %00}, and
	 * what decodes to them one step later: {@code %25} (an escaped percent, so
	 * {@code %252e} is a dot to whatever decodes twice), {@code %3b} (a semicolon, so
	 * {@code ..%3b} is {@code ..;}), and the lead bytes of overlong or impossible UTF-8
	 * ({@code %c0}, {@code %c1}, {@code %f5} to {@code %ff}), so {@code %c0%ae} is no dot
	 * to a lenient decoder.
	 */
	private static boolean isSuspectEscape(char high, char low) {
		char h = Character.toLowerCase(high);
		char l = Character.toLowerCase(low);
		return switch (h) {
			case '0' -> l == '0';
			case '2' -> l == 'e' || l == 'f' || l == '5';
			case '3' -> l == 'b';
			case '5' -> l == 'c';
			case 'c' -> l == '0' || l == '1';
			case 'f' -> (l >= '5' && l <= '9') || (l >= 'a' && l <= 'f');
			default -> false;
		};
	}

}
