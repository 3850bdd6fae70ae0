package io.clusterkit.management;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Debian's Chromium and its driver, which {@code .ci/run} installs. A class of its own so
 * that asking whether they are there does not initialize a test class, whose static
 * fixture would start workers that a disabled class never stops.
 */
final class Browser {

	static final Path CHROMIUM = Path.of(System.getProperty("chromium.binary", "/usr/bin/chromium"));

	static final Path CHROMEDRIVER = Path.of(System.getProperty("chromedriver.binary", "/usr/bin/chromedriver"));

	private Browser() {
	}

	static boolean installed() {
		return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
	}

}
