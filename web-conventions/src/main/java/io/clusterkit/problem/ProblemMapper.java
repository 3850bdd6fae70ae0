package io.clusterkit.problem;

import org.springframework.http.ProblemDetail;
import org.jspecify.annotations.Nullable;

/**
 * Turns an exception that is not already an {@link org.springframework.web.ErrorResponse}
 * into a problem, for failures only one application knows how to name (an upstream that
 * refused a connection, say).
 *
 * @author clusterkit
 */
@FunctionalInterface
public interface ProblemMapper {

	/**
	 * Map the given failure.
	 * @param ex the failure, never an {@code ErrorResponse}
	 * @return the problem to answer with, or {@code null} when this mapper does not know
	 * the failure
	 */
	@Nullable ProblemDetail map(Throwable ex);

}
