package io.clusterkit.gateway.discovery;

import java.util.List;
import java.util.Map;

import io.clusterkit.gateway.balancer.Endpoint;
import io.clusterkit.gateway.balancer.EndpointRegistry;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.cloud.client.discovery.simple.InstanceProperties;
import org.springframework.cloud.client.discovery.simple.SimpleDiscoveryProperties;

/**
 * A weight in the static instance list is configuration: a wrong one stops start-up with
 * the key that holds it, where the same mistake arriving later from a discovery server
 * only falls back to weight 1 (see {@link EndpointRegistry}).
 *
 * @author clusterkit
 */
class StaticWeightsValidator implements InitializingBean {

	private static final String PREFIX = "spring.cloud.discovery.client.simple.instances";

	private final ObjectProvider<SimpleDiscoveryProperties> properties;

	// a provider: the dns profile switches the static list off
	StaticWeightsValidator(ObjectProvider<SimpleDiscoveryProperties> properties) {
		this.properties = properties;
	}

	@Override
	public void afterPropertiesSet() {
		this.properties.ifAvailable(this::validate);
	}

	private void validate(SimpleDiscoveryProperties properties) {
		for (Map.Entry<String, List<InstanceProperties>> service : properties.getInstances().entrySet()) {
			List<InstanceProperties> instances = service.getValue();
			for (int i = 0; i < instances.size(); i++) {
				String weight = instances.get(i).getMetadata().get(EndpointRegistry.WEIGHT_METADATA_KEY);
				if (weight != null && EndpointRegistry.parseWeight(weight) < 0) {
					throw new InvalidConfigurationPropertyValueException(
							PREFIX + "." + service.getKey() + "[" + i + "].metadata."
									+ EndpointRegistry.WEIGHT_METADATA_KEY,
							weight, "A weight must be an integer from 0 (drained) to " + Endpoint.MAX_WEIGHT + ".");
				}
			}
		}
	}

}
