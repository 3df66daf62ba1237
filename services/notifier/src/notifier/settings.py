from servicekit.settings import ServiceSettings, service_config


class NotifierSettings(ServiceSettings):
    model_config = service_config("NOTIFIER_")
