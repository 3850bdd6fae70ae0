package io.clusterkit.gateway.loadreport;

import io.clusterkit.gateway.balancer.LoadReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class OrcaTextTests {

	@Test
	void shouldReadEveryFieldAWorkerSends() {
		LoadReport report = OrcaText
			.parse("TEXT cpu_utilization=0.310, rps_fractional=812.0, eps=1.5, named_metrics.inflight=7", 42);
		assertThat(report).isEqualTo(new LoadReport(0.31, 812.0, 1.5, 7, 42));
	}

	@Test
	void shouldSkipUnknownKeysSpacesAndEmptyFields() {
		LoadReport report = OrcaText.parse(
				"TEXT  mem_utilization=0.8 ,cpu_utilization = 1.2e0,, named_metrics.other=3, named_metrics.inflight=0 ",
				1);
		assertThat(report).isEqualTo(new LoadReport(1.2, 0, 0, 0, 1));
	}

	@Test
	void shouldTakeAReportWithoutAnInFlightCountAsNoneElsewhere() {
		assertThat(OrcaText.parse("TEXT cpu_utilization=0.5", 1)).isEqualTo(new LoadReport(0.5, 0, 0, 0, 1));
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "TEXT", "JSON {\"cpu_utilization\": 0.3}", "BIN abc", "text cpu_utilization=0.3",
			"TEXT cpu_utilization", "TEXT cpu_utilization=", "TEXT cpu_utilization=-0.1", "TEXT cpu_utilization=NaN",
			"TEXT cpu_utilization=Infinity", "TEXT cpu_utilization=0x1p3", "TEXT rps_fractional=1e999",
			"TEXT named_metrics.inflight=2.5", "TEXT named_metrics.inflight=1e10", "TEXT eps=1,2",
			"TEXT cpu_utilization=0.3; eps=1" })
	void shouldRefuseAReportItCannotRead(String value) {
		assertThat(OrcaText.parse(value, 1)).isNull();
	}

}
