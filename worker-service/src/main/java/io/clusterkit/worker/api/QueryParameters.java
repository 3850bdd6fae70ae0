package io.clusterkit.worker.api;

import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * Parses bounded integer query parameters, answering 400 problem+json that names the
 * parameter, its range and the value received.
 *
 * @author clusterkit
 */
final class QueryParameters {

	private QueryParameters() {
	}

	static long bounded(String name, @Nullable String value, long defaultValue, long min, long max) {
		if (value == null || value.isEmpty()) {
			return defaultValue;
		}
		long parsed;
		try {
			parsed = Long.parseLong(value.strip());
		}
		catch (NumberFormatException ex) {
			throw invalid(name, value, min, max);
		}
		if (parsed < min || parsed > max) {
			throw invalid(name, value, min, max);
		}
		return parsed;
	}

	static ErrorResponseException invalid(String name, String value, String expectation) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
				"Query parameter '" + name + "' " + expectation + ", got '" + abbreviate(value) + "'.");
		problem.setTitle("Invalid query parameter");
		problem.setProperties(Map.of("parameter", name));
		return new ErrorResponseException(HttpStatus.BAD_REQUEST, problem, null);
	}

	private static ErrorResponseException invalid(String name, String value, long min, long max) {
		return invalid(name, value, "must be an integer from " + min + " to " + max);
	}

	private static String abbreviate(String value) {
		return (value.length() <= 64) ? value : value.substring(0, 64) + "...";
	}

}
