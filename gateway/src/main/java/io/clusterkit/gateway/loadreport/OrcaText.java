package io.clusterkit.gateway.loadreport;

import io.clusterkit.gateway.balancer.LoadReport;
import org.jspecify.annotations.Nullable;

/**
 * Reads ORCA's TEXT encoding of a load report, the form of the
 * {@code endpoint-load-metrics} HTTP header that Envoy reads:
 *
 * <pre>TEXT cpu_utilization=0.31, rps_fractional=812.0, eps=0.0, named_metrics.inflight=7</pre>
 *
 * One left-to-right scan, no regular expression, no split: keys are compared in place and
 * only numbers are cut out. Unknown keys are skipped (a server may report more, or less);
 * a value that is not a finite number of 0 or more, an in-flight count that is not a
 * whole number, or another encoding (JSON, binary) makes the whole report unreadable:
 * half a report could mislead more than none.
 *
 * @author clusterkit
 */
final class OrcaText {

	private static final String PREFIX = "TEXT ";

	private OrcaText() {
	}

	static @Nullable LoadReport parse(String value, long receivedAtNanos) {
		if (!value.startsWith(PREFIX)) {
			return null;
		}
		double cpu = 0;
		double rps = 0;
		double eps = 0;
		double inFlight = 0;
		int end = value.length();
		for (int start = PREFIX.length(); start < end;) {
			int comma = value.indexOf(',', start);
			int fieldEnd = (comma < 0) ? end : comma;
			int keyStart = skipSpaces(value, start, fieldEnd);
			if (keyStart < fieldEnd) {
				int equals = value.indexOf('=', keyStart);
				if (equals < 0 || equals > fieldEnd) {
					return null;
				}
				int keyEnd = trimEnd(value, keyStart, equals);
				double number = number(value, equals + 1, fieldEnd);
				if (!(number >= 0) || Double.isInfinite(number)) {
					return null;
				}
				if (is(value, keyStart, keyEnd, "cpu_utilization")) {
					cpu = number;
				}
				else if (is(value, keyStart, keyEnd, "rps_fractional")) {
					rps = number;
				}
				else if (is(value, keyStart, keyEnd, "eps")) {
					eps = number;
				}
				else if (is(value, keyStart, keyEnd, "named_metrics.inflight")) {
					if (number != Math.rint(number) || number > Integer.MAX_VALUE) {
						return null;
					}
					inFlight = number;
				}
			}
			start = fieldEnd + 1;
		}
		return new LoadReport(cpu, rps, eps, (int) inFlight, receivedAtNanos);
	}

	/** The number between two indexes, NaN when there is none. */
	private static double number(String value, int from, int to) {
		int start = skipSpaces(value, from, to);
		int end = trimEnd(value, start, to);
		if (start == end) {
			return Double.NaN;
		}
		for (int i = start; i < end; i++) {
			char c = value.charAt(i);
			// digits, sign, point and exponent only: parseDouble would also take "NaN",
			// "Infinity" and hexadecimal
			if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) {
				return Double.NaN;
			}
		}
		try {
			return Double.parseDouble(value.substring(start, end));
		}
		catch (NumberFormatException ex) {
			return Double.NaN;
		}
	}

	private static boolean is(String value, int start, int end, String key) {
		return end - start == key.length() && value.startsWith(key, start);
	}

	private static int skipSpaces(String value, int from, int to) {
		int i = from;
		while (i < to && value.charAt(i) == ' ') {
			i++;
		}
		return i;
	}

	private static int trimEnd(String value, int from, int to) {
		int i = to;
		while (i > from && value.charAt(i - 1) == ' ') {
			i--;
		}
		return i;
	}

}
