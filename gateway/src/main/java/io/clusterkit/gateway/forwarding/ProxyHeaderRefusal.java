package io.clusterkit.gateway.forwarding;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.ProtocolDetectionResult;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * In place of the PROXY protocol detector on a connection from a peer that is not a
 * trusted proxy: a connection that starts with a PROXY header (v1 or v2, told apart by
 * Netty's own detection) is closed, since it would choose the client address the gateway
 * believes; any other first bytes go on to HTTP untouched, and this handler leaves the
 * pipeline. A client's doing: DEBUG only.
 *
 * @author clusterkit
 */
final class ProxyHeaderRefusal extends ByteToMessageDecoder {

	private static final Log logger = LogFactory.getLog(ProxyHeaderRefusal.class);

	@Override
	protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
		ProtocolDetectionResult<HAProxyProtocolVersion> detected = HAProxyMessageDecoder.detectProtocol(in);
		switch (detected.state()) {
			case NEEDS_MORE_DATA -> {
			}
			case DETECTED -> {
				if (logger.isDebugEnabled()) {
					logger.debug("Closed a connection from " + ctx.channel().remoteAddress()
							+ ", not a trusted proxy, that started with a PROXY protocol header");
				}
				in.skipBytes(in.readableBytes());
				ctx.close();
			}
			case INVALID -> ctx.pipeline().remove(this);
		}
	}

}
