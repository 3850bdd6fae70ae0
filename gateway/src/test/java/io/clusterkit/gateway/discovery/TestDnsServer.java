package io.clusterkit.gateway.discovery;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;

/**
 * A real, minimal authoritative DNS server on a loopback UDP port: A records from a map
 * that tests change at will, NXDOMAIN for names it does not know, and it can be made to
 * stay silent, as a failing server does.
 */
final class TestDnsServer implements AutoCloseable {

	private final Map<String, List<String>> records = new ConcurrentHashMap<>();

	private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

	private final Channel channel;

	private volatile boolean silent;

	TestDnsServer() throws InterruptedException {
		this.channel = new Bootstrap().group(this.group)
			.channel(NioDatagramChannel.class)
			.handler(new ChannelInitializer<DatagramChannel>() {
				@Override
				protected void initChannel(DatagramChannel channel) {
					channel.pipeline()
						.addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(), new Answering());
				}
			})
			.bind(new InetSocketAddress("127.0.0.1", 0))
			.sync()
			.channel();
	}

	String address() {
		return "127.0.0.1:" + ((InetSocketAddress) this.channel.localAddress()).getPort();
	}

	void set(String name, String... addresses) {
		this.records.put(name, List.of(addresses));
	}

	void remove(String name) {
		this.records.remove(name);
	}

	void silent(boolean silent) {
		this.silent = silent;
	}

	@Override
	public void close() {
		this.channel.close().syncUninterruptibly();
		this.group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
	}

	private final class Answering extends SimpleChannelInboundHandler<DatagramDnsQuery> {

		@Override
		protected void channelRead0(ChannelHandlerContext context, DatagramDnsQuery query) throws Exception {
			if (TestDnsServer.this.silent) {
				return;
			}
			DnsQuestion question = query.recordAt(DnsSection.QUESTION);
			String name = question.name().endsWith(".") ? question.name().substring(0, question.name().length() - 1)
					: question.name();
			DatagramDnsResponse response = new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
			response.setAuthoritativeAnswer(true);
			response.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(question.name(), question.type()));
			List<String> addresses = TestDnsServer.this.records.get(name);
			if (addresses == null) {
				response.setCode(DnsResponseCode.NXDOMAIN);
			}
			else if (question.type() == DnsRecordType.A) {
				for (String address : addresses) {
					response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(question.name(), DnsRecordType.A, 0,
							Unpooled.wrappedBuffer(InetAddress.getByName(address).getAddress())));
				}
			}
			context.writeAndFlush(response);
		}

	}

}
