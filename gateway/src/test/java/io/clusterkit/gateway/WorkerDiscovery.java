package io.clusterkit.gateway;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.test.context.support.TestPropertySourceUtils;

/**
 * Gives every Spring test context the workers of its test class as the gateway's static
 * {@code worker-service} list: the static {@link WorkerProcesses} field of the class, or
 * of a class enclosing it ({@code @Nested} contexts share their outer class's workers).
 * Registered in {@code META-INF/spring.factories}.
 */
class WorkerDiscovery implements ContextCustomizerFactory {

	private static final String INLINED = TestPropertySourceUtils.INLINED_PROPERTIES_PROPERTY_SOURCE_NAME;

	@Override
	public @Nullable ContextCustomizer createContextCustomizer(Class<?> testClass,
			List<ContextConfigurationAttributes> configAttributes) {
		for (Class<?> type = testClass; type != null; type = type.getEnclosingClass()) {
			WorkerProcesses workers = staticWorkers(type);
			if (workers != null) {
				return new Customizer(workers);
			}
		}
		return null;
	}

	static @Nullable WorkerProcesses staticWorkers(Class<?> type) {
		for (Field field : type.getDeclaredFields()) {
			if (Modifier.isStatic(field.getModifiers()) && field.getType() == WorkerProcesses.class) {
				try {
					field.setAccessible(true);
					return (WorkerProcesses) field.get(null);
				}
				catch (IllegalAccessException ex) {
					throw new IllegalStateException(ex);
				}
			}
		}
		return null;
	}

	/** Equal for the same workers, so contexts are cached as before. */
	private record Customizer(WorkerProcesses workers) implements ContextCustomizer {

		/**
		 * Above the application's own list, below the test's inlined properties: an
		 * indexed list binds whole from the highest source that has it, so a context that
		 * lists its own instances keeps exactly its list.
		 */
		@Override
		public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
			MutablePropertySources sources = context.getEnvironment().getPropertySources();
			MapPropertySource workers = new MapPropertySource("workerProcesses", this.workers.discoveryProperties());
			if (sources.contains(INLINED)) {
				sources.addAfter(INLINED, workers);
			}
			else {
				sources.addFirst(workers);
			}
		}

	}

}
