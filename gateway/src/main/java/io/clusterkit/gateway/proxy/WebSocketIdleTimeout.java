package io.clusterkit.gateway.proxy;

import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Closes a proxied WebSocket that carried no frame either way for the idle timeout: a
 * close frame with 1001 (going away) to the instance, whose answer Spring Cloud Gateway
 * passes on to the client with the same status, and the connection closed outright if the
 * close handshake has not ended it shortly after. Sits on the upstream connection, where
 * every frame of the session passes too.
 *
 * @author clusterkit
 */
final class WebSocketIdleTimeout extends IdleStateHandler {

	static final String NAME = "clusterkit.websocketIdle";

	private static final Log logger = LogFactory.getLog(WebSocketIdleTimeout.class);

	private static final long CLOSE_GRACE_MILLIS = 2000;

	WebSocketIdleTimeout(long idleNanos) {
		super(0, 0, idleNanos, TimeUnit.NANOSECONDS);
	}

	@Override
	protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent event) {
		if (logger.isDebugEnabled()) {
			logger.debug("WebSocket to " + ctx.channel().remoteAddress() + " idle; closing with 1001");
		}
		ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE, "idle timeout"));
		ctx.executor().schedule(() -> ctx.channel().close(), CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
	}

}
