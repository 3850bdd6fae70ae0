package io.clusterkit.gateway.limits;

import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Caps the public port's concurrent connections the way HAProxy's {@code maxconn} does:
 * at the cap the listening socket stops accepting, so further clients wait in the
 * kernel's accept queue, served in turn as connections close, instead of being refused.
 * Sits on the listening channel, ahead of the acceptor, and counts connections as they
 * are accepted and as they close. A connection accepted past the cap in the same accept
 * batch (possible with the NIO transport, which accepts a batch before it hands any on)
 * is closed at once, so the cap holds.
 *
 * @author clusterkit
 */
@ChannelHandler.Sharable
final class ConnectionLimit extends ChannelInboundHandlerAdapter {

	private final int max;

	private final AtomicInteger open = new AtomicInteger();

	ConnectionLimit(int max) {
		this.max = max;
	}

	int open() {
		return this.open.get();
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		Channel listener = ctx.channel();
		Channel connection = (Channel) msg;
		if (this.open.incrementAndGet() > this.max) {
			this.open.decrementAndGet();
			connection.unsafe().closeForcibly();
			return;
		}
		connection.closeFuture().addListener((closed) -> {
			this.open.decrementAndGet();
			listener.eventLoop().execute(() -> updateAccepting(listener));
		});
		updateAccepting(listener);
		ctx.fireChannelRead(msg);
	}

	/**
	 * Runs on the listener's event loop only, so the switch follows the count in order.
	 */
	private void updateAccepting(Channel listener) {
		boolean accept = this.open.get() < this.max;
		if (listener.config().isAutoRead() != accept) {
			listener.config().setAutoRead(accept);
		}
	}

}
