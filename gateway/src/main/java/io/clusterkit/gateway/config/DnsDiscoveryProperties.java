package io.clusterkit.gateway.config;

import java.time.Duration;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Discovery by DNS: each service is a name resolved to all its addresses (a compose
 * service, a Kubernetes headless Service), every instance on the same port.
 *
 * @param enabled whether DNS discovery runs (the {@code dns} profile turns it on and the
 * static list off)
 * @param services the services, by service id
 * @param refreshInterval how often every name is resolved again: the pool follows scale
 * up and down within it
 * @param queryTimeout how long one resolution may take; a failed one keeps the last known
 * addresses
 * @param nameServer a name server as {@code host:port} instead of the system's (from
 * {@code /etc/resolv.conf})
 * @author clusterkit
 */
@Validated
@ConfigurationProperties(DnsDiscoveryProperties.PREFIX)
public record DnsDiscoveryProperties(@DefaultValue("false") boolean enabled,
		@Nullable Map<String, @Valid Service> services,
		@DurationMin(millis = 100) @DurationMax(minutes = 10) @DefaultValue("5s") Duration refreshInterval,
		@DurationMin(millis = 10) @DurationMax(seconds = 30) @DefaultValue("2s") Duration queryTimeout,
		@Nullable @Pattern(regexp = "[^:\\s]+:\\d{1,5}", message = "must be host:port") String nameServer) {

	/** Prefix of the DNS discovery settings. */
	public static final String PREFIX = "cluster.discovery.dns";

	public DnsDiscoveryProperties {
		services = (services != null) ? Map.copyOf(services) : Map.of();
	}

	/**
	 * One service found by DNS.
	 *
	 * @param host the name to resolve, e.g. {@code worker}
	 * @param port the port of every instance
	 * @param managementPort the port health checks probe, when not {@code port}
	 * @param secure whether the instances speak TLS (with the {@code upstream-tls}
	 * profile, mutual TLS)
	 */
	public record Service(@NotBlank String host, @Min(1) @Max(65535) int port,
			@Nullable @Min(1) @Max(65535) Integer managementPort, @DefaultValue("false") boolean secure) {

	}

}
