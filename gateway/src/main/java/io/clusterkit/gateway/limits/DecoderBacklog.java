package io.clusterkit.gateway.limits;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import io.netty.channel.ChannelHandler;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.ByteToMessageDecoder;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Whether a connection's HTTP decoder holds bytes it could not decode yet: the start of
 * the next request's head, sent along with the request just answered. Only the decoder
 * knows, and Netty keeps the count protected, so it is read through method handles made
 * once. Should a Netty release move them, the check reports nothing (one WARN at start),
 * and such a head is timed from its next byte instead.
 *
 * @author clusterkit
 */
final class DecoderBacklog {

	private static final Log logger = LogFactory.getLog(DecoderBacklog.class);

	private static final @Nullable MethodHandle INBOUND_HANDLER;

	private static final @Nullable MethodHandle ACTUAL_READABLE_BYTES;

	static {
		MethodHandle inbound = null;
		MethodHandle readable = null;
		try {
			MethodHandles.Lookup lookup = MethodHandles.lookup();
			inbound = MethodHandles.privateLookupIn(CombinedChannelDuplexHandler.class, lookup)
				.findVirtual(CombinedChannelDuplexHandler.class, "inboundHandler",
						MethodType.methodType(io.netty.channel.ChannelInboundHandler.class));
			readable = MethodHandles.privateLookupIn(ByteToMessageDecoder.class, lookup)
				.findVirtual(ByteToMessageDecoder.class, "actualReadableBytes", MethodType.methodType(int.class));
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			logger.warn("Netty's decoder backlog cannot be read (" + ex + "); a partial request head pipelined "
					+ "behind another is timed from its next byte only");
		}
		INBOUND_HANDLER = inbound;
		ACTUAL_READABLE_BYTES = readable;
	}

	private DecoderBacklog() {
	}

	/**
	 * Whether the codec holds undecoded bytes.
	 * @param codec the connection's HTTP codec
	 * @return true when a next request has begun
	 */
	static boolean isPending(@Nullable ChannelHandler codec) {
		if (!(codec instanceof CombinedChannelDuplexHandler<?, ?>) || INBOUND_HANDLER == null
				|| ACTUAL_READABLE_BYTES == null) {
			return false;
		}
		try {
			Object decoder = INBOUND_HANDLER.invoke((CombinedChannelDuplexHandler<?, ?>) codec);
			return decoder instanceof ByteToMessageDecoder bytes && (int) ACTUAL_READABLE_BYTES.invoke(bytes) > 0;
		}
		catch (Throwable ex) {
			return false;
		}
	}

}
