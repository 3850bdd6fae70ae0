package io.clusterkit.gateway.discovery;

import java.util.List;

import org.springframework.cloud.client.ServiceInstance;

/**
 * What follows discovery besides the registry (active health checks probe what it lists),
 * fed by {@link MembershipFeed} after each read.
 *
 * @author clusterkit
 */
public interface MembershipListener {

	/**
	 * Discovery was read.
	 * @param instances every instance of every service it lists now
	 */
	void listed(List<ServiceInstance> instances);

}
