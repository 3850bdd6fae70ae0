package io.clusterkit.gateway.balancer;

/**
 * What an instance last said of its load (ORCA's fields, from its
 * {@code endpoint-load-metrics} response header), as every gateway in front of it hears.
 *
 * @param cpuUtilization its process's share of the machine's CPU, from 0 (1 and above:
 * saturated)
 * @param rps requests it answered per second, from every client
 * @param eps of which errors (5xx) per second
 * @param inFlight requests it had in flight as the answered request arrived, that one
 * included, from every client
 * @param receivedAtNanos when this gateway read it, on its nano clock
 * @author clusterkit
 */
public record LoadReport(double cpuUtilization, double rps, double eps, int inFlight, long receivedAtNanos) {

}
