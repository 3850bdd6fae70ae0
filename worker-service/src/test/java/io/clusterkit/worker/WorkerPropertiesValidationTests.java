package io.clusterkit.worker;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A wrong setting stops start-up with a message that names the key.
 */
class WorkerPropertiesValidationTests {

	@ParameterizedTest
	@CsvSource({ "worker.faults.error-rate,1.5,errorRate", "worker.faults.error-rate,-0.1,errorRate",
			"worker.faults.extra-latency,-1s,extraLatency", "worker.faults.extra-latency,2m,extraLatency",
			"worker.faults.error-rate,lots,error-rate", "worker.faults.extra-latency-rate,2,extraLatencyRate",
			"worker.load-report.interval,50ms,loadReport.interval",
			"worker.load-report.interval,2m,loadReport.interval" })
	void shouldRefuseToStartNamingTheKey(String key, String value, String named) {
		SpringApplication application = new SpringApplication(WorkerApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		assertThatThrownBy(() -> application.run("--" + key + "=" + value, "--spring.main.banner-mode=off"))
			.hasStackTraceContaining(named);
	}

}
