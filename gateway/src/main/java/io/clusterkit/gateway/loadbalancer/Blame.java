package io.clusterkit.gateway.loadbalancer;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.SignalType;
import reactor.netty.internal.shaded.reactor.pool.PoolAcquirePendingLimitException;
import reactor.netty.internal.shaded.reactor.pool.PoolAcquireTimeoutException;

import org.springframework.http.HttpStatusCode;
import org.springframework.web.ErrorResponse;

/**
 * The one place that decides whether the way a proxied attempt ended is its instance's
 * fault. Passive health ejects on these verdicts, so a verdict against an instance must
 * be certain: anything a client can cause, and anything the gateway itself runs out of,
 * says nothing of the instance. docs/security.md lists every case with its test.
 * <table>
 * <tr>
 * <th>how the attempt ended</th>
 * <th>verdict</th>
 * </tr>
 * <tr>
 * <td>the instance answered below 500</td>
 * <td>success</td>
 * </tr>
 * <tr>
 * <td>the instance answered 5xx</td>
 * <td>failure</td>
 * </tr>
 * <tr>
 * <td>the instance answered 503 with {@code Retry-After}: it asks for fewer requests</td>
 * <td>none (its weight is cut for that time, {@link Attempts#throttled})</td>
 * </tr>
 * <tr>
 * <td>connect refused or timed out, connection reset or closed by the instance before its
 * answer, silence after the whole request was sent (response timeout)</td>
 * <td>failure</td>
 * </tr>
 * <tr>
 * <td>the client hung up (cancel, or its connection closed by the time the error came)
 * </td>
 * <td>none</td>
 * </tr>
 * <tr>
 * <td>a 4xx raised on the way: the client's body stalled, did not decode, or grew past
 * its limit</td>
 * <td>none</td>
 * </tr>
 * <tr>
 * <td>no connection from the gateway's own pool in time (gateway busy, answered 503)</td>
 * <td>none</td>
 * </tr>
 * </table>
 *
 * @author clusterkit
 */
final class Blame {

	private Blame() {
	}

	/**
	 * The verdict of an attempt that ended with an error.
	 * @param error the error
	 * @param clientConnected whether the client's connection was still open
	 * @return the verdict
	 */
	static Attempts.Outcome ofError(Throwable error, boolean clientConnected) {
		if (!clientConnected || isClientFault(error) || error instanceof GatewayBusyException) {
			return Attempts.Outcome.UNKNOWN;
		}
		return Attempts.Outcome.FAILURE;
	}

	/**
	 * The verdict of an attempt that ended without an error.
	 * @param signal how the request's chain ended: completion or cancel
	 * @param status the response status, if one was set
	 * @return the verdict
	 */
	static Attempts.Outcome ofEnd(SignalType signal, @Nullable HttpStatusCode status) {
		return (signal == SignalType.CANCEL) ? Attempts.Outcome.UNKNOWN : ofAnswer(status);
	}

	/**
	 * The verdict of an attempt the instance answered.
	 * @param status the answer's status, if one was set
	 * @return the verdict
	 */
	static Attempts.Outcome ofAnswer(@Nullable HttpStatusCode status) {
		return (status != null && status.is5xxServerError()) ? Attempts.Outcome.FAILURE : Attempts.Outcome.SUCCESS;
	}

	/**
	 * A wait for a connection from the gateway's own pool that ran out: the gateway is
	 * saturated, whichever instance was picked. Answered as a
	 * {@link GatewayBusyException}.
	 * @param error the error
	 * @return whether it is one
	 */
	static boolean isGatewayBusy(Throwable error) {
		return error instanceof PoolAcquireTimeoutException || error instanceof PoolAcquirePendingLimitException;
	}

	private static boolean isClientFault(Throwable error) {
		return error instanceof ErrorResponse response && response.getStatusCode().is4xxClientError();
	}

}
