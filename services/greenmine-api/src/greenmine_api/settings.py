from servicekit.settings import ServiceSettings, service_config


class GreenmineSettings(ServiceSettings):
    model_config = service_config("GREENMINE_")
