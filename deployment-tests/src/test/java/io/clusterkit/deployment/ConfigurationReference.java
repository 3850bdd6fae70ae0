package io.clusterkit.deployment;

import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The settings an application defines, read from its jar as shipped: names, types,
 * defaults and descriptions from the configuration metadata that
 * spring-boot-configuration-processor writes at compile time (descriptions are the
 * properties records' javadoc), ranges from the Bean Validation constraints on the
 * records, which start-up enforces. Rendered as one Markdown table.
 */
final class ConfigurationReference {

	private static final String METADATA = "META-INF/spring-configuration-metadata.json";

	/**
	 * Metadata written by hand, for settings no properties class holds (a library's
	 * {@code @ConditionalOnProperty} switch): the processor merges it only into a module
	 * that has a properties class of its own.
	 */
	private static final String ADDITIONAL_METADATA = "META-INF/additional-spring-configuration-metadata.json";

	private static final Pattern PACKAGE = Pattern.compile("\\b[a-z][\\w]*(?:\\.[a-z][\\w]*)*\\.([A-Z][\\w$]*)");

	private static final Pattern JAVADOC_TAG = Pattern.compile("\\{@(?:code|literal) ([^}]*)}");

	private static final Pattern JAVADOC_LINK = Pattern.compile("\\{@link(?:plain)? (?:[\\w.]*#)?([^} ]+)[^}]*}");

	private final Map<String, JsonNode> properties = new TreeMap<>();

	private final ClassLoader classes;

	private ConfigurationReference(ClassLoader classes) {
		this.classes = classes;
	}

	/**
	 * Read an application's settings.
	 * @param jar its executable jar
	 * @param prefixes the settings' prefixes (its own, not Spring's)
	 * @param unpacked a directory to unpack the jar into
	 * @return its settings
	 */
	static ConfigurationReference of(Path jar, List<String> prefixes, Path unpacked) throws IOException {
		ClassLoader classes = unpack(jar, unpacked);
		ConfigurationReference reference = new ConfigurationReference(classes);
		ObjectMapper json = new ObjectMapper();
		List<URL> files = new ArrayList<>(Collections.list(classes.getResources(METADATA)));
		files.addAll(Collections.list(classes.getResources(ADDITIONAL_METADATA)));
		for (URL metadata : files) {
			try (InputStream in = metadata.openStream()) {
				for (JsonNode property : json.readTree(in).path("properties")) {
					String name = property.path("name").asText();
					if (prefixes.stream().anyMatch(name::startsWith)) {
						reference.properties.putIfAbsent(name, property);
					}
				}
			}
		}
		return reference;
	}

	/** The jar's classes and libraries, unpacked, behind a class loader of their own. */
	private static ClassLoader unpack(Path jar, Path into) throws IOException {
		List<URL> urls = new ArrayList<>();
		// a directory's URL ends in a slash only if it exists: otherwise it would be read
		// as a jar
		Path classes = Files.createDirectories(into.resolve("classes"));
		urls.add(classes.toUri().toURL());
		try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(jar))) {
			for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
				String name = entry.getName();
				Path target = null;
				if (name.startsWith("BOOT-INF/classes/") && !entry.isDirectory()) {
					target = classes.resolve(name.substring("BOOT-INF/classes/".length())).normalize();
				}
				else if (name.equals(METADATA)) {
					// the application's own metadata: Spring Boot's jar keeps META-INF at
					// its root
					target = classes.resolve(name);
				}
				else if (name.startsWith("BOOT-INF/lib/") && name.endsWith(".jar")) {
					target = into.resolve("lib").resolve(name.substring("BOOT-INF/lib/".length())).normalize();
					urls.add(target.toUri().toURL());
				}
				if (target != null && target.startsWith(into)) {
					Files.createDirectories(target.getParent());
					Files.copy(zip, target);
				}
			}
		}
		return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
	}

	int size() {
		return this.properties.size();
	}

	/**
	 * The Markdown table, one row per setting in name order.
	 * @return its lines, each ending in a line break
	 */
	String table() {
		StringBuilder table = new StringBuilder(
				"| setting | type | default | range | meaning |\n|---|---|---|---|---|\n");
		for (JsonNode property : this.properties.values()) {
			table.append("| `")
				.append(property.path("name").asText())
				.append("` | ")
				.append(cell(type(property.path("type").asText())))
				.append(" | ")
				.append(defaultValue(property.path("defaultValue")))
				.append(" | ")
				.append(cell(range(property)))
				.append(" | ")
				.append(cell(description(property.path("description").asText())))
				.append(" |\n");
		}
		return table.toString();
	}

	private static String type(String type) {
		return PACKAGE.matcher(type).replaceAll((match) -> {
			String simple = match.group(1);
			return simple.substring(simple.lastIndexOf('$') + 1);
		}).replace(",", ", ");
	}

	private static String defaultValue(JsonNode value) {
		if (value.isMissingNode() || value.isNull()) {
			return "";
		}
		if (value.isArray()) {
			List<String> items = new ArrayList<>();
			value.forEach((item) -> items.add(item.asText()));
			return "`" + String.join(",", items) + "`";
		}
		return "`" + value.asText() + "`";
	}

	private static String description(String javadoc) {
		String text = JAVADOC_TAG.matcher(javadoc).replaceAll((match) -> "`" + match.group(1) + "`");
		text = JAVADOC_LINK.matcher(text).replaceAll((match) -> "`" + match.group(1) + "`");
		return text.replaceAll("\\s+", " ").trim();
	}

	private static String cell(String text) {
		return text.replace("|", "\\|");
	}

	/** The bounds start-up enforces, from the constraints on the record component. */
	private String range(JsonNode property) {
		Field field = field(property);
		if (field == null) {
			return "";
		}
		String low = null;
		String high = null;
		List<String> other = new ArrayList<>();
		for (Annotation constraint : field.getAnnotations()) {
			String kind = constraint.annotationType().getSimpleName();
			switch (kind) {
				case "Min", "DecimalMin" -> low = number(attribute(constraint, "value"));
				case "Max", "DecimalMax" -> high = number(attribute(constraint, "value"));
				case "DurationMin" -> low = duration(constraint);
				case "DurationMax" -> high = duration(constraint);
				case "NotEmpty", "NotBlank" -> other.add("not empty");
				case "Pattern" -> other.add("matches `" + attribute(constraint, "regexp") + "`");
				default -> {
				}
			}
		}
		if (low != null && high != null) {
			other.add(0, low + " to " + high);
		}
		else if (low != null) {
			other.add(0, "at least " + low);
		}
		else if (high != null) {
			other.add(0, "at most " + high);
		}
		return String.join("; ", other);
	}

	private Field field(JsonNode property) {
		String sourceType = property.path("sourceType").asText(null);
		if (sourceType == null) {
			return null;
		}
		String name = property.path("name").asText();
		String component = camelCase(name.substring(name.lastIndexOf('.') + 1));
		try {
			return Class.forName(sourceType, false, this.classes).getDeclaredField(component);
		}
		catch (ClassNotFoundException | NoSuchFieldException ex) {
			return null;
		}
	}

	private static String camelCase(String kebab) {
		StringBuilder camel = new StringBuilder();
		boolean upper = false;
		for (char c : kebab.toCharArray()) {
			if (c == '-') {
				upper = true;
			}
			else {
				camel.append(upper ? Character.toUpperCase(c) : c);
				upper = false;
			}
		}
		return camel.toString();
	}

	private static String number(Object value) {
		String text = String.valueOf(value);
		try {
			long whole = Long.parseLong(text);
			return (Math.abs(whole) >= 10_000) ? String.format("%,d", whole) : text;
		}
		catch (NumberFormatException ex) {
			return text;
		}
	}

	/**
	 * Hibernate Validator's {@code @DurationMin/Max}, written as a setting's value is.
	 */
	private static String duration(Annotation constraint) {
		Duration duration = Duration.ofDays(((Number) attribute(constraint, "days")).longValue())
			.plusHours(((Number) attribute(constraint, "hours")).longValue())
			.plusMinutes(((Number) attribute(constraint, "minutes")).longValue())
			.plusSeconds(((Number) attribute(constraint, "seconds")).longValue())
			.plusMillis(((Number) attribute(constraint, "millis")).longValue())
			.plusNanos(((Number) attribute(constraint, "nanos")).longValue());
		if (duration.isZero()) {
			return "0";
		}
		List<Map.Entry<String, Duration>> units = List.of(Map.entry("d", Duration.ofDays(1)),
				Map.entry("h", Duration.ofHours(1)), Map.entry("m", Duration.ofMinutes(1)),
				Map.entry("s", Duration.ofSeconds(1)), Map.entry("ms", Duration.ofMillis(1)));
		return units.stream()
			.filter((unit) -> duration.toNanos() % unit.getValue().toNanos() == 0)
			.max(Comparator.comparing(Map.Entry::getValue))
			.map((unit) -> duration.toNanos() / unit.getValue().toNanos() + unit.getKey())
			.orElse(duration.toNanos() + "ns");
	}

	private static Object attribute(Annotation annotation, String name) {
		try {
			Method attribute = annotation.annotationType().getMethod(name);
			return attribute.invoke(annotation);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
