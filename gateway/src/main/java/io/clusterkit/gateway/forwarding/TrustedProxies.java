package io.clusterkit.gateway.forwarding;

import java.net.InetAddress;
import java.util.List;

import io.netty.util.NetUtil;
import org.jspecify.annotations.Nullable;

/**
 * A set of addresses and CIDR blocks, IPv4 and IPv6, matched by comparing address bits:
 * no DNS, no regular expression. An IPv4-mapped IPv6 peer ({@code ::ffff:10.1.2.3})
 * matches the IPv4 block it belongs to, since a dual-stack socket reports IPv4 clients
 * that way.
 *
 * @author clusterkit
 */
public final class TrustedProxies {

	private final Block[] blocks;

	private TrustedProxies(Block[] blocks) {
		this.blocks = blocks;
	}

	/**
	 * Parse a list of entries.
	 * @param entries addresses ({@code 10.0.0.7}) and blocks ({@code 10.0.0.0/8})
	 * @param key the setting they come from, named in the error of a malformed entry
	 * @return the set
	 * @throws IllegalArgumentException naming the key and the entry when one is not an IP
	 * address or its prefix length is out of range
	 */
	public static TrustedProxies parse(List<String> entries, String key) {
		Block[] blocks = new Block[entries.size()];
		for (int i = 0; i < blocks.length; i++) {
			blocks[i] = Block.parse(entries.get(i).trim(), key + "[" + i + "]");
		}
		return new TrustedProxies(blocks);
	}

	public boolean isEmpty() {
		return this.blocks.length == 0;
	}

	public boolean contains(@Nullable InetAddress address) {
		if (address == null || this.blocks.length == 0) {
			return false;
		}
		byte[] bytes = normalize(address.getAddress());
		for (Block block : this.blocks) {
			if (block.contains(bytes)) {
				return true;
			}
		}
		return false;
	}

	/** An IPv4-mapped IPv6 address as the IPv4 address it carries. */
	static byte[] normalize(byte[] bytes) {
		if (bytes.length != 16) {
			return bytes;
		}
		for (int i = 0; i < 10; i++) {
			if (bytes[i] != 0) {
				return bytes;
			}
		}
		if (bytes[10] != (byte) 0xff || bytes[11] != (byte) 0xff) {
			return bytes;
		}
		return new byte[] { bytes[12], bytes[13], bytes[14], bytes[15] };
	}

	private record Block(byte[] network, int prefix) {

		static Block parse(String entry, String key) {
			int slash = entry.indexOf('/');
			String address = (slash < 0) ? entry : entry.substring(0, slash);
			byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
			if (bytes == null) {
				throw new IllegalArgumentException(
						key + " must be an IP address or a CIDR block such as 10.0.0.0/8, got '" + entry + "'");
			}
			bytes = normalize(bytes);
			int bits = bytes.length * 8;
			int prefix = bits;
			if (slash >= 0) {
				try {
					prefix = Integer.parseInt(entry.substring(slash + 1));
				}
				catch (NumberFormatException ex) {
					prefix = -1;
				}
				if (prefix < 0 || prefix > bits) {
					throw new IllegalArgumentException(
							key + " has a prefix length out of 0.." + bits + ": '" + entry + "'");
				}
			}
			return new Block(bytes, prefix);
		}

		boolean contains(byte[] address) {
			if (address.length != this.network.length) {
				return false;
			}
			int whole = this.prefix / 8;
			for (int i = 0; i < whole; i++) {
				if (address[i] != this.network[i]) {
					return false;
				}
			}
			int rest = this.prefix % 8;
			if (rest == 0) {
				return true;
			}
			int mask = (0xff << (8 - rest)) & 0xff;
			return (address[whole] & mask) == (this.network[whole] & mask);
		}

	}

}
