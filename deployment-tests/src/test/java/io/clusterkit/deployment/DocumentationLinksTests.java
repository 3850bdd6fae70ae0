package io.clusterkit.deployment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every relative link in the repository's Markdown (README, docs/, bench/, ...) points at
 * a file or directory that exists: a moved or renamed page breaks the build, not a
 * reader.
 */
class DocumentationLinksTests {

	static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

	/**
	 * {@code [text](target)}, the target up to a space, a quote or the closing
	 * parenthesis.
	 */
	static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s\"]+)[^)]*\\)");

	@Test
	void shouldResolveEveryRelativeLink() throws IOException {
		List<String> broken = new ArrayList<>();
		List<Path> pages = markdown();
		assertThat(pages).as("the pages read").contains(ROOT.resolve("README.md"));
		for (Path page : pages) {
			Matcher link = LINK.matcher(Files.readString(page));
			while (link.find()) {
				String target = link.group(1);
				if (target.startsWith("#") || target.contains("://") || target.startsWith("mailto:")) {
					continue;
				}
				String file = target.replaceFirst("#.*$", "");
				if (!Files.exists(page.getParent().resolve(file).normalize())) {
					broken.add(ROOT.relativize(page) + " -> " + target);
				}
			}
		}
		assertThat(broken).as("relative links that resolve to nothing").isEmpty();
	}

	private static List<Path> markdown() throws IOException {
		try (Stream<Path> files = Files.walk(ROOT)) {
			return files.filter((path) -> path.toString().endsWith(".md")).filter((path) -> {
				String relative = ROOT.relativize(path).toString();
				return !relative.startsWith(".") && !relative.contains("/target/")
						&& !relative.contains("node_modules");
			}).toList();
		}
	}

}
